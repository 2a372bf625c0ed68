"""Residents' personal data (PIPL art. 51: least privilege, every full view logged).

Each test closes one way a staff member without the unmask right could see, confirm or recover a
reporter's masked name or phone — or gain a case and its reporter by being dispatched to it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from wangge.cases import actions, permissions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.errors import ActionForbidden, InvalidInput
from wangge.cases.models import CaseAssignment, CaseEvent, ReporterAccessLog
from wangge.org.choices import Role
from wangge.org.models import Department, RoleAssignment
from wangge.testing import case_in_state, file_case, make_user

PHONE = "13812341234"  # the factories' reporter phone
NAME = "张三"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


# --- reveal: refused attempts logged, every full view on the timeline -------------------------


def test_a_refused_reveal_is_logged_and_the_refusal_still_raised(world):
    case = file_case(world)
    worker = world.users["worker_a1"]  # sees the case, may not see the reporter
    with pytest.raises(ActionForbidden):
        actions.reveal_reporter(case=case, actor=worker, channel="api", ip_address="10.0.0.9")
    log = ReporterAccessLog.objects.get()
    assert (log.case, log.user, log.granted, log.channel, log.ip_address) == (case, worker, False, "api", "10.0.0.9")
    assert not CaseEvent.objects.filter(case=case, type=EventType.PII_VIEWED).exists()  # nothing was viewed


def test_a_refused_reveal_over_the_api_and_the_web_is_logged(world, client):
    case = file_case(world)
    worker = world.users["worker_a1"]
    assert api(worker).post(f"/api/v1/cases/{case.number}/reveal-reporter/").status_code == 403
    client.force_login(worker)
    page = client.post(f"/cases/{case.number}/reporter/").content.decode()
    assert PHONE not in page
    assert list(ReporterAccessLog.objects.order_by("pk").values_list("channel", "granted")) == [
        ("api", False), ("web", False)]


def test_every_granted_full_view_is_on_the_timeline_for_staff_only(world):
    case = file_case(world)
    clerk = world.users["clerk"]
    actions.reveal_reporter(case=case, actor=clerk, channel="web")
    actions.reveal_reporter(case=case, actor=clerk, channel="api")
    viewed = list(CaseEvent.objects.filter(case=case, type=EventType.PII_VIEWED).order_by("pk"))
    assert [(e.actor, e.public, e.data["channel"]) for e in viewed] == [(clerk, False, "web"), (clerk, False, "api")]
    # The entry says who looked, never what they saw.
    assert all(PHONE not in str(e.data) + e.note and NAME not in str(e.data) + e.note for e in viewed)
    assert list(ReporterAccessLog.objects.values_list("granted", flat=True)) == [True, True]


def test_the_full_view_entry_is_not_on_the_residents_page(world, client):
    from django.urls import reverse

    case = file_case(world)
    actions.reveal_reporter(case=case, actor=world.users["clerk"])
    page = client.get(reverse("portal:case", kwargs={"token": case.tracking_token}), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "查看反映人信息" not in page.content.decode()


# --- dispatch only to those who may receive cases -----------------------------------------------


@pytest.fixture
def accepted(world):
    return case_in_state(world, CaseStatus.ACCEPTED)  # grid A1, community A


@pytest.mark.parametrize("who", ["worker_a1", "secretary_a", "chengguan", "leader"])
def test_a_case_goes_to_people_whose_role_handles_it_there(world, accepted, who):
    case = actions.dispatch_case(case=accepted, actor=world.users["clerk"], lead=Target(user=world.users[who]))
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignments.get(active=True).user == world.users[who]


@pytest.mark.parametrize("who", [
    "clerk",          # takes calls, handles none
    "worker_b1",      # another community's grid
    "secretary_b",    # another community
])
def test_a_case_does_not_go_to_anyone_else(world, accepted, who):
    target = world.users[who]
    with pytest.raises(InvalidInput) as refused:
        actions.dispatch_case(case=accepted, actor=world.users["clerk"], lead=Target(user=target))
    assert refused.value.fields == {"user": "not_handler"}
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.ACCEPTED and not CaseAssignment.objects.filter(user=target).exists()
    # …and so they gained neither the case nor its reporter.
    if who != "clerk":
        assert not permissions.can_see(target, accepted)


def test_no_dispatch_to_an_account_without_a_role_an_ended_role_or_a_closed_department(world, accepted):
    clerk = world.users["clerk"]
    nobody = make_user(None, username="no_role")
    ended = make_user(Role.GRID_WORKER, region=world.grids[0], username="ended")
    RoleAssignment.objects.filter(user=ended).update(is_active=False)
    closed = Department.objects.create(name="已撤销科室", code="closed", kind="section", region=world.subdistrict,
                                       is_active=False)
    officer = make_user(Role.DEPARTMENT_OFFICER, department=closed, username="closed_dept")
    superuser = make_user(None, username="root", is_superuser=True)
    for person in (nobody, ended, officer, superuser):
        with pytest.raises(InvalidInput):
            actions.dispatch_case(case=accepted, actor=clerk, lead=Target(user=person))
    # Co-handlers are checked the same way.
    with pytest.raises(InvalidInput):
        actions.dispatch_case(case=accepted, actor=clerk, lead=Target(department=world.departments["chengguan"]),
                              co_handlers=[Target(user=nobody)])
    assert not CaseAssignment.objects.filter(case=accepted).exists()


def test_the_api_refuses_a_person_who_may_not_receive_the_case(world, accepted):
    response = api(world.users["clerk"]).post(f"/api/v1/cases/{accepted.number}/dispatch/",
                                              {"lead": {"user": world.users["worker_b1"].pk}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["codes"] == {"user": "not_handler"}
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.ACCEPTED


def test_every_person_the_dispatch_form_offers_may_receive_the_case(world, accepted):
    from wangge.web.forms import DispatchForm, parse_target

    make_user(Role.GRID_CHIEF, region=world.grids[0], username="chief_a1")
    form = DispatchForm(case=accepted)
    people = [value for group, choices in form.fields["lead"].choices[1:] for value, _label in choices
              if value.startswith("user:")]
    assert len(people) >= 3  # worker A1, chief A1, secretary A
    for value in people:
        parse_target(value).validate(accepted)  # raises if the action would refuse it


def test_the_web_form_refuses_a_person_it_does_not_offer(world, accepted, client):
    client.force_login(world.users["clerk"])
    response = client.post(f"/cases/{accepted.number}/do/dispatch/",
                           {"dispatch-lead": f"user:{world.users['clerk'].pk}"})
    assert response.status_code == 200  # the page again, with the form's error
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.ACCEPTED and not accepted.assignments.exists()


# --- the admin: no filter, search or sort on a resident's name or phone ------------------------


@pytest.fixture
def auditor(world, client):
    """Staff who may look at cases in the admin, without the unmask right."""
    user = make_user(None, username="auditor", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["cases", "residents", "notifications"], codename__startswith="view_")
        .exclude(codename="view_reporter"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("query", [
    {"reporter_phone": PHONE},
    {"reporter_phone__endswith": "1234"},
    {"reporter_phone__startswith": "1381234"},
    {"reporter_name__startswith": "张"},
    {"reporter_name": NAME},
    {"reporter__phone": PHONE},
    {"reporter": "1"},
])
def test_the_case_admin_cannot_be_filtered_by_the_reporter(world, auditor, query):
    case = file_case(world)
    response = auditor.get("/admin/cases/case/", query)
    assert response.status_code == 400
    assert case.number not in response.content.decode()


def test_the_case_admin_list_filters_and_search_still_work(world, auditor):
    case = file_case(world)
    page = auditor.get("/admin/cases/case/", {"status__exact": CaseStatus.SUBMITTED}).content.decode()
    assert case.number in page and PHONE not in page
    assert case.number in auditor.get("/admin/cases/case/", {"submitted_at__year": case.submitted_at.year}).content.decode()
    # Search: number and title only — a phone or a name finds nothing.
    assert case.number in auditor.get("/admin/cases/case/", {"q": case.number}).content.decode()
    for term in (PHONE, NAME):
        cl = auditor.get("/admin/cases/case/", {"q": term}).context["cl"]
        assert list(cl.result_list) == []


def test_the_case_admin_page_shows_the_reporter_masked(world, auditor):
    case = file_case(world)
    page = auditor.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "138****1234" in page and PHONE not in page and NAME not in page


def test_the_access_log_admin_cannot_be_filtered_by_the_reporter(world, auditor):
    case = file_case(world)
    actions.reveal_reporter(case=case, actor=world.users["clerk"])
    assert auditor.get("/admin/cases/reporteraccesslog/", {"case__reporter_phone": PHONE}).status_code == 400
    assert auditor.get("/admin/cases/reporteraccesslog/", {"granted__exact": "1"}).status_code == 200


@pytest.mark.parametrize("query", [{"phone": PHONE}, {"phone__endswith": "1234"}, {"name__startswith": "张"}])
def test_the_resident_admin_cannot_be_filtered_by_phone_or_name(world, auditor, query):
    file_case(world)
    assert auditor.get("/admin/residents/resident/", query).status_code == 400
    assert auditor.get("/admin/residents/resident/", {"anonymised_at__isempty": "1"}).status_code == 200


def test_the_outbox_admin_masks_the_phone_for_staff_without_the_unmask_right(world, auditor):
    from django.utils import timezone

    from wangge.notifications.models import OutboundMessage

    # What the replies app queues when a case is accepted: the reporter's number, also in the key.
    message = OutboundMessage.objects.create(channel="sms", to=PHONE, template="case_accepted",
                                             dedupe_key=f"case_accepted:1:sms:{PHONE}", next_attempt_at=timezone.now())
    detail = auditor.get(f"/admin/notifications/outboundmessage/{message.pk}/change/").content.decode()
    assert "138****1234" in detail and PHONE not in detail
    # Neither a search nor a filter by the number tells whether the office ever texted it.
    assert auditor.get("/admin/notifications/outboundmessage/", {"to": PHONE}).status_code == 400
    listed = auditor.get("/admin/notifications/outboundmessage/", {"q": PHONE}).context["cl"].result_list
    assert list(listed) == []


# --- case list and API: no filter, search or ordering by the reporter ---------------------------


@pytest.fixture
def two_callers(world):
    """Two cases whose order by phone or name is the reverse of their filing order."""
    first = file_case(world, reporter_phone="13900009999", reporter_name="赵六")
    second = file_case(world, reporter_phone="13900000001", reporter_name="阿七")
    return first, second


@pytest.mark.parametrize("params", [
    {"reporter_phone": "13900009999"}, {"reporter_phone__startswith": "1390000999"}, {"reporter_name": "赵六"},
    {"reporter": "1"}, {"phone": "13900009999"},
])
def test_the_api_list_ignores_filters_on_the_reporter(world, two_callers, params):
    # An unknown parameter is no filter: the same list as without it, so it confirms nothing.
    client = api(world.users["worker_a1"])
    plain = [c["number"] for c in client.get("/api/v1/cases/").json()["results"]]
    filtered = client.get("/api/v1/cases/", params)
    assert filtered.status_code in (200, 400)
    if filtered.status_code == 200:
        assert [c["number"] for c in filtered.json()["results"]] == plain


@pytest.mark.parametrize("ordering", ["reporter_phone", "-reporter_phone", "reporter_name", "reporter__phone"])
def test_the_api_list_cannot_be_sorted_by_the_reporter(world, two_callers, ordering):
    client = api(world.users["worker_a1"])
    plain = [c["number"] for c in client.get("/api/v1/cases/").json()["results"]]
    response = client.get("/api/v1/cases/", {"ordering": ordering})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert [c["number"] for c in response.json()["results"]] == plain


@pytest.mark.parametrize("term", ["13900009999", "0009999", "赵六", "赵"])
def test_the_text_search_does_not_match_the_reporter(world, two_callers, client, term):
    worker = world.users["worker_a1"]
    response = api(worker).get("/api/v1/cases/", {"q": term})
    assert two_callers[0].number not in response.content.decode()
    assert two_callers[1].number not in response.content.decode()
    # A whole phone number does not go into a URL (the look-up is POST caller-search/); anything
    # else is searched as text, which the reporter is no part of.
    assert response.status_code == (400 if term == "13900009999" else 200)
    client.force_login(worker)
    page = client.get("/cases/", {"q": term}).content.decode()
    assert two_callers[0].number not in page and two_callers[1].number not in page


def test_lists_show_the_reporter_masked(world, two_callers, client):
    worker = world.users["worker_a1"]
    rows = api(worker).get("/api/v1/cases/").json()["results"]
    assert {r["reporter"]["phone"] for r in rows} == {"139****9999", "139****0001"}
    client.force_login(worker)
    page = client.get("/cases/").content.decode()
    assert "13900009999" not in page and "赵六" not in page
