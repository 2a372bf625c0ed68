"""A resident asks the office who saw their personal data (PIPL art. 45). The officer opens the
resident in the admin, follows 信息查看记录 to that resident's own log — every full view and refused
attempt, by whom, when, for what — and narrows it by staff member and date like any other log."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from wangge.residents.errors import ResidentDataForbidden
from wangge.residents.models import Resident, ResidentAccessLog
from wangge.residents.services import reveal_resident
from wangge.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = make_user(None, username="dpo", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="residents",
                                                         codename__startswith="view_"))
    client.force_login(user)
    return client


@pytest.fixture
def asked(db):
    """张三 asks; 李四's data was seen too, by the same people, and must not show in his answer."""
    zhang = Resident.objects.create(name="张三", phone="13812341234")
    li = Resident.objects.create(name="李四", phone="13900001111")
    leader, clerk = make_user(None, username="leader_x"), make_user(None, username="clerk_x")
    reveal_resident(resident=zhang, actor=leader, purpose="case WG20261101-00001", allowed=True)
    with pytest.raises(ResidentDataForbidden):
        reveal_resident(resident=zhang, actor=clerk, purpose="neighbourhood:need:7", allowed=False)
    reveal_resident(resident=li, actor=leader, purpose="case WG20261101-00002", allowed=True)
    return zhang, li, leader


def listed(response) -> list[ResidentAccessLog]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_officer_goes_from_the_resident_to_who_saw_their_data(officer, asked):
    zhang, li, leader = asked
    page = officer.get(f"/admin/residents/resident/{zhang.pk}/change/").content.decode()  # Chinese, the default
    assert "信息查看记录" in page and "2 次查看或尝试" in page
    link = re.search(r'href="(/admin/residents/residentaccesslog/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    log, query = link.split("?")
    mine = dict(pair.split("=") for pair in query.split("&"))
    mine = {key: value.replace("%23", "#") for key, value in mine.items()}

    answer = listed(officer.get(log, mine))
    assert {(row.user.username, row.granted) for row in answer} == {("leader_x", True), ("clerk_x", False)}
    assert all(row.resident_id == zhang.pk for row in answer)
    # … by staff member and by date, as the log's own filters do.
    assert [r.user for r in listed(officer.get(log, {**mine, "user": leader.pk}))] == [leader]
    today = timezone.localtime(answer[0].accessed_at).date()  # the admin's date filter is the local day
    assert len(listed(officer.get(log, {**mine, "accessed_at__year": today.year, "accessed_at__month": today.month,
                                        "accessed_at__day": today.day}))) == 2
    # The answer never shows the data itself, not even the resident's.
    assert "13812341234" not in officer.get(link).content.decode()
    assert [r.resident for r in listed(officer.get("/admin/residents/residentaccesslog/", {"q": f"#{li.pk}"}))] == [li]


def test_a_resident_nobody_looked_at_says_so(officer, settings):
    quiet = Resident.objects.create(name="王五", phone="13700001111")
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = officer.get(f"/admin/residents/resident/{quiet.pk}/change/").content.decode()
    assert "who saw their data" in page.lower() and "nobody yet" in page
