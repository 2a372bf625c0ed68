"""Category (and department) suggestion: the keyword table alone until a classifier is trained
on enough closed cases, then both."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from wangge.cases.choices import CaseStatus
from wangge.intake.duplicates import classifier
from wangge.intake.duplicates.actions import train_classifier
from wangge.intake.duplicates.models import CategoryClassifier
from wangge.intake.duplicates.suggestions import suggest, suggest_categories

LIGHT = ["路灯不亮晚上很黑", "一排路灯都坏了", "路灯白天亮晚上不亮", "门口路灯灯泡坏了"]
RUBBISH = ["垃圾桶满了没人清运", "垃圾站臭气熏天", "垃圾堆在路边好几天", "大件垃圾没人拉走"]


def test_the_classifier_learns_from_examples_and_says_nothing_about_unknown_text():
    model = classifier.train([(t, "light") for t in LIGHT] + [(t, "rubbish") for t in RUBBISH])
    assert classifier.predict(model, "楼下的灯坏了晚上黑")[0][0] == "light"
    assert classifier.predict(model, "好几天没人清运了，很臭")[0][0] == "rubbish"
    ranked = classifier.predict(model, "路灯坏了", limit=2)
    assert abs(sum(p for _label, p in ranked) - 1) < 1e-9 and ranked[0][1] > ranked[1][1]
    assert classifier.predict(model, "xyz qqq") == [] and classifier.predict({}, "路灯") == []
    assert classifier.accuracy(model, [("路灯坏了", "light"), ("垃圾满了", "rubbish")]) == 1.0


@pytest.mark.django_db
def test_without_a_model_the_keywords_answer(world, tree):
    found = suggest_categories("楼下垃圾没人清运，很臭")
    assert found[0] == tree["rubbish"]
    assert suggest("路灯不亮")[0].source == "keywords"
    assert suggest("路灯不亮")[0].department == world.departments["chengguan"]  # the parent's
    for nothing in ("", "x", None, "   "):
        assert suggest_categories(nothing) == []
    assert suggest_categories("路灯", limit=0) == []


@pytest.mark.django_db
def test_training_needs_enough_closed_cases_then_the_model_helps(world, tree, place):
    from wangge.testing.factories import case_in_state

    assert train_classifier(min_cases=4) is None and not CategoryClassifier.objects.exists()
    lng, lat = place()
    # The keyword table knows nothing of 灯泡 / 黑: only the trained model can tell.
    for text in LIGHT[:3]:
        case_in_state(world, CaseStatus.RESOLVED, category=tree["light"], description=text + "，灯泡黑了",
                      longitude=lng, latitude=lat)
    for text in RUBBISH[:3]:
        case_in_state(world, CaseStatus.RESOLVED, category=tree["rubbish"], description=text + "，味道大",
                      longitude=lng, latitude=lat)
    case_in_state(world, CaseStatus.SUBMITTED, category=tree["rubbish"], description="灯泡黑了")  # not finished
    row = train_classifier(min_cases=4)
    assert row is not None and (row.cases, row.categories) == (6, 2)  # finished cases only
    top = suggest("楼道灯泡黑了")[0]
    assert top.category == tree["light"] and top.source == "model"
    # Keywords and the model together: both sources agree.
    assert suggest("路灯灯泡黑了")[0].source == "both"
    # Retraining keeps the newest three models.
    for _i in range(3):
        train_classifier(min_cases=4)
    assert CategoryClassifier.objects.count() == 3


@pytest.mark.django_db
def test_the_command_says_when_there_is_too_little_to_learn_from(world, tree, capsys):
    call_command("train_category_classifier")
    assert "Not enough" in capsys.readouterr().out
    call_command("find_duplicates", "--days", "1")
    assert "0 possible duplicates" in capsys.readouterr().out
