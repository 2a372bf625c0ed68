"""A case page left open while someone else acted on the case: the refused action says who
changed it, when and what (read from the case's timeline after the version the page showed) —
staff name and post only, nothing of the resident."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import CaseEvent
from wangge.testing import case_in_state, file_case

pytestmark = pytest.mark.django_db


def seen(html: str, action: str) -> str:
    """The version the page's ``action`` form was drawn with, as the browser posts it back."""
    match = re.search(rf'<input type="hidden" name="{action}-seen" value="(\d+)"', html)
    assert match, f"the {action} form carries no version"
    return match.group(1)


@pytest.fixture
def zhang(world):
    user = world.users["clerk2"]
    user.display_name = "张三"
    user.save(update_fields=["display_name"])
    return user


def test_acting_on_a_case_someone_dispatched_meanwhile_says_who_did(world, login, categories, zhang):
    case = file_case(world, category=categories["street"], reporter_name="王小明", reporter_phone="13712345678")
    client = login(world.users["clerk"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    version = seen(page, "accept")

    # Meanwhile 张三 accepts and dispatches it.
    case = actions.accept_case(case=case, actor=zhang)
    case = actions.dispatch_case(case=case, actor=zhang, lead=actions.Target(department=world.departments["chengguan"]))
    dispatched = CaseEvent.objects.filter(case=case).latest("pk")
    at = timezone.localtime(dispatched.created_at).strftime("%H:%M")

    response = client.post(f"/cases/{case.number}/do/accept/", {"accept-category": categories["street"].pk,
                                                                "accept-note": "", "accept-seen": version})
    html = response.content.decode()
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    notice = re.search(r'data-testid="refused">([^<]*)<', html).group(1)
    assert f"此事件已被 张三（和平街道受理员）于 {at} 办理：已派单 — 本页已显示最新情况，请核对后再操作。" in notice
    # Staff name and post only: nothing of the resident.
    assert "王小明" not in notice and "13712345678" not in notice and "5678" not in notice
    # The page drawn again has seen the change: what it offers now is not refused as stale.
    versions = re.findall(r'<input type="hidden" name="[a-z_]+-seen" value="(\d+)"', html)
    assert versions and set(versions) == {str(dispatched.pk)}


def test_a_refusal_with_no_change_meanwhile_names_no_one(world, login, categories, zhang):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    client = login(world.users["leader"])
    version = seen(client.get(f"/cases/{case.number}/").content.decode(), "escalate")
    html = client.post(f"/cases/{case.number}/do/escalate/", {"escalate-reason": "", "escalate-seen": version}
                       ).content.decode()
    assert "此事件已被" not in html and "请核对后再操作" not in html


def test_a_form_left_open_in_a_field_that_someone_changed_names_them(world, login, categories, zhang):
    """The reclassify form's own conflict (someone changed the star meanwhile) also says who."""
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    client = login(world.users["clerk"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    shown = re.search(r'name="classify-shown" value="([^"]*)"', page).group(1)
    actions.escalate_case(case=case, actor=world.users["leader"], reason="群众反映强烈")
    html = client.post(f"/cases/{case.number}/do/classify/", {
        "classify-category": categories["street"].pk, "classify-star": 2, "classify-handling_type": case.handling_type,
        "classify-note": "", "classify-shown": shown, "classify-seen": seen(page, "classify")}).content.decode()
    assert "此事件已被 leader（和平街道领导）于" in html


def test_english(world, login, categories, zhang):
    case = file_case(world, category=categories["street"])
    client = login(world.users["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    version = seen(client.get(f"/cases/{case.number}/").content.decode(), "accept")
    actions.reject_case(case=case, actor=zhang, reason="重复")
    html = client.post(f"/cases/{case.number}/do/accept/", {"accept-category": categories["street"].pk,
                                                            "accept-seen": version}).content.decode()
    assert re.search(r"Meanwhile 张三 \(Intake clerk, 和平街道\) changed this case at \d\d:\d\d: Rejected — "
                     r"this page now shows it as it is: check it before acting\.", html)
