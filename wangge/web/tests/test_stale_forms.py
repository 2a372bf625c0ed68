"""A classify form left open while someone else changed the case (two tabs, two people)."""

from __future__ import annotations

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType, HandlingType, StarLevel
from wangge.cases.models import Case, CaseEvent
from wangge.testing import case_in_state


def _classify_form(response):
    return next(f for f in response.context["action_forms"] if f.action == "classify")


def _post(client, case, form_data: dict):
    return client.post(f"/cases/{case.number}/do/classify/", {f"classify-{k}": v for k, v in form_data.items()})


def test_a_stale_classify_form_keeps_what_an_escalation_changed(world, login, categories):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    assert case.star == StarLevel.ONE
    client = login(world.users["clerk"])
    shown = _classify_form(client.get(f"/cases/{case.number}/")).initial["shown"]

    # Meanwhile the leader escalates it (to the city, led by a district department: 3★).
    actions.escalate_case(case=case, actor=world.users["leader"], reason="群众反映强烈")
    assert Case.objects.get(pk=case.pk).star == StarLevel.THREE

    # The clerk, in the tab opened before, changes only the handling type: the 2★ stays.
    response = _post(client, case, {"category": categories["street"].pk, "star": StarLevel.ONE,
                                    "handling_type": HandlingType.COORDINATION, "note": "", "shown": shown})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.star == StarLevel.THREE and case.handling_type == HandlingType.COORDINATION
    # A stale form that changes nothing of its own changes nothing (it used to put 1★ back).
    response = _post(client, case, {"category": categories["street"].pk, "star": StarLevel.ONE,
                                    "handling_type": HandlingType.GENERAL, "note": "补充说明", "shown": shown})
    case.refresh_from_db()
    assert case.star == StarLevel.THREE


def test_changing_what_someone_else_changed_meanwhile_asks_first(world, login, categories):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    client = login(world.users["clerk"])
    shown = _classify_form(client.get(f"/cases/{case.number}/")).initial["shown"]
    actions.escalate_case(case=case, actor=world.users["leader"], reason="群众反映强烈")
    events = CaseEvent.objects.filter(case=case, type=EventType.CLASSIFIED).count()

    data = {"category": categories["street"].pk, "star": StarLevel.TWO, "handling_type": case.handling_type,
            "note": "", "shown": shown}
    response = _post(client, case, data)
    assert response.status_code == 200
    form = _classify_form(response)
    assert "三星" in " ".join(form.errors["star"])  # says what it is now
    case.refresh_from_db()
    assert case.star == StarLevel.THREE
    assert CaseEvent.objects.filter(case=case, type=EventType.CLASSIFIED).count() == events

    # Drawn again, the form has seen the 3★: saving again is deliberate and goes through.
    redrawn = form.data[form.add_prefix("shown")]
    assert redrawn.split("|")[1] == str(StarLevel.THREE)
    response = _post(client, case, {**data, "shown": redrawn})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.star == StarLevel.TWO


def test_a_form_posted_without_what_it_showed_works_as_before(world, login, categories):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    client = login(world.users["clerk"])
    response = _post(client, case, {"category": categories["street"].pk, "star": StarLevel.TWO,
                                    "handling_type": case.handling_type, "note": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.star == StarLevel.TWO
