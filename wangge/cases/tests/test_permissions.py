"""Scope by role and jurisdiction (辖区), the same answer for out-of-scope and missing cases, and
residents' personal data: masked by default, unmasked only with permission and always logged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from wangge.cases import actions, permissions, selectors
from wangge.cases.actions import Target
from wangge.cases.errors import ActionForbidden, CaseNotFound
from wangge.cases.models import ReporterAccessLog
from wangge.org.choices import RegionLevel, Role
from wangge.testing import add_region, file_case, make_category, make_user

from .core_helpers import written_state


@pytest.fixture
def cases(world):
    """One accepted case per grid (A1, A2, B1, B2); A2's is dispatched to 城管 with 环卫 assisting."""
    category = make_category(department=world.departments["chengguan"])
    clerk = world.users["clerk"]
    made = {}
    for name, grid in zip(["A1", "A2", "B1", "B2"], world.grids):
        made[name] = actions.accept_case(case=file_case(world, grid=grid, category=category), actor=clerk)
    made["A2"] = actions.dispatch_case(
        case=made["A2"], actor=clerk, lead=Target(department=world.departments["chengguan"]),
        co_handlers=[Target(department=world.departments["huanwei"])],
    )
    return made


def visible(user, cases) -> set[str]:
    numbers = set(selectors.cases_visible_to(user).values_list("number", flat=True))
    return {name for name, case in cases.items() if case.number in numbers}


@pytest.mark.parametrize(
    "user, expected",
    [
        ("worker_a1", {"A1"}),
        ("worker_b1", {"B1"}),
        ("secretary_a", {"A1", "A2"}),
        ("secretary_b", {"B1", "B2"}),
        ("chengguan", {"A2"}),  # lead department
        ("huanwei", {"A2"}),  # co-handling department
        ("clerk", {"A1", "A2", "B1", "B2"}),
        ("leader", {"A1", "A2", "B1", "B2"}),
        ("district_leader", {"A1", "A2", "B1", "B2"}),
        ("admin", {"A1", "A2", "B1", "B2"}),
    ],
)
def test_scope_per_role(world, cases, user, expected):
    actor = world.users[user]
    assert visible(actor, cases) == expected
    # The detail answers exactly like the list.
    for name, case in cases.items():
        if name in expected:
            assert selectors.case_for(actor, case.number).pk == case.pk
            assert permissions.can_see(actor, case)
        else:
            with pytest.raises(CaseNotFound):
                selectors.case_for(actor, case.number)
            assert not permissions.can_see(actor, case)


def test_other_territories_and_departments_see_nothing(world, cases):
    other_subdistrict = add_region(world.district, RegionLevel.SUBDISTRICT, "光明街道")
    elsewhere = [
        make_user(Role.LEADER, region=other_subdistrict),
        make_user(Role.INTAKE_CLERK, region=other_subdistrict),
        make_user(Role.DEPARTMENT_OFFICER, department=world.departments["pingan"]),
        make_user(),  # an account without any role
    ]
    for user in elsewhere:
        assert visible(user, cases) == set()
    assert selectors.cases_visible_to(AnonymousUser()).count() == 0
    assert selectors.cases_visible_to(None).count() == 0


def test_building_chief_works_within_their_grid(world, cases):
    building = add_region(world.grids[0], RegionLevel.BUILDING, "3号楼")
    chief = make_user(Role.BUILDING_CHIEF, region=building)
    assert visible(chief, cases) == {"A1"}


def test_one_person_holding_several_roles_sees_the_union(world, cases):
    user = make_user(Role.GRID_WORKER, region=world.grids[0])
    from wangge.org.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT_OFFICER, department=world.departments["chengguan"])
    user = type(user).objects.get(pk=user.pk)  # roles are read once per request
    assert visible(user, cases) == {"A1", "A2"}


def test_an_inactive_role_grants_nothing(world, cases):
    user = make_user(Role.COMMUNITY_SECRETARY, region=world.communities[0])
    user.roles.update(is_active=False)
    user = type(user).objects.get(pk=user.pk)
    assert visible(user, cases) == set()


def test_out_of_scope_is_the_same_answer_as_missing(world, cases):
    worker = world.users["worker_a1"]
    with pytest.raises(CaseNotFound) as out_of_scope:
        selectors.case_for(worker, cases["B1"].number)
    with pytest.raises(CaseNotFound) as missing:
        selectors.case_for(worker, "WG20990101-99999")
    assert str(out_of_scope.value.message) == str(missing.value.message)
    assert out_of_scope.value.status_code == missing.value.status_code == 404
    # Actions answer the same: an invisible case is "not found", never "forbidden".
    before = written_state(cases["B1"])
    with pytest.raises(CaseNotFound):
        actions.urge_case(case=cases["B1"], actor=world.users["secretary_a"])
    with pytest.raises(CaseNotFound):
        actions.dispatch_case(case=cases["B1"], actor=worker, lead=Target(department=world.departments["pingan"]))
    assert written_state(cases["B1"]) == before


@pytest.mark.parametrize(
    "user, action, case_name",
    [
        ("worker_a1", "dispatch", "A1"),  # a grid worker may see, not dispatch
        ("worker_a1", "reject", "A1"),
        ("huanwei", "resolve", "A2"),  # co-handler, not the lead
        ("huanwei", "return", "A2"),
        ("chengguan", "close", "A2"),
        ("chengguan", "urge", "A2"),
    ],
)
def test_forbidden_action_on_a_visible_case(world, cases, user, action, case_name):
    actor, case = world.users[user], cases[case_name]
    assert permissions.can_see(actor, case)
    assert not permissions.can(actor, action, case)
    assert action not in selectors.available_actions(actor, case)
    before = written_state(case)
    calls = {
        "dispatch": lambda: actions.dispatch_case(case=case, actor=actor,
                                                  lead=Target(department=world.departments["pingan"])),
        "reject": lambda: actions.reject_case(case=case, actor=actor, reason="x"),
        "resolve": lambda: actions.resolve_case(case=case, actor=actor, result="x"),
        "return": lambda: actions.return_case(case=case, actor=actor, reason="x"),
        "close": lambda: actions.close_case(case=case, actor=actor),
        "urge": lambda: actions.urge_case(case=case, actor=actor),
    }
    with pytest.raises(ActionForbidden):
        calls[action]()
    assert written_state(case) == before


def test_available_actions_follow_role_and_status(world, cases):
    assert set(selectors.available_actions(world.users["chengguan"], cases["A2"])) >= {
        "claim", "return", "request_extension", "progress", "escalate"}
    # Resolved by the lead once it has taken the case on (认领), not straight from dispatch.
    assert "resolve" not in selectors.available_actions(world.users["chengguan"], cases["A2"])
    claimed = actions.claim_case(case=cases["A2"], actor=world.users["chengguan"])
    assert "resolve" in selectors.available_actions(world.users["chengguan"], claimed)
    assert "report_in" in selectors.available_actions(world.users["huanwei"], cases["A2"])
    assert "resolve" not in selectors.available_actions(world.users["huanwei"], cases["A2"])
    assert set(selectors.available_actions(world.users["clerk"], cases["A1"])) >= {
        "dispatch", "reject", "classify", "escalate", "merge", "urge"}
    assert "claim" in selectors.available_actions(world.users["worker_a1"], cases["A1"])
    assert selectors.available_actions(AnonymousUser(), cases["A1"]) == []


def test_filing_needs_a_staff_role(world):
    with pytest.raises(ActionForbidden):
        file_case(world, actor=make_user())
    assert file_case(world, actor=world.users["worker_a1"]).created_by == world.users["worker_a1"]


# ---------------------------------------------------------------------------------------------
# Personal data (个人信息)
# ---------------------------------------------------------------------------------------------


def test_masking_helpers():
    assert selectors.mask_phone("13812341234") == "138****1234"
    assert selectors.mask_phone("010-12345678") == "010*****5678"
    assert selectors.mask_phone("12345") == "1***5"
    assert selectors.mask_phone("") == ""
    assert selectors.mask_name("张三") == "张*"
    assert selectors.mask_name("欧阳娜娜") == "欧***"
    assert selectors.mask_name("李") == "李*"
    assert selectors.mask_name("") == ""


def test_reveal_reporter_needs_permission_and_is_logged(world, cases):
    case = cases["A1"]
    with pytest.raises(ActionForbidden):
        actions.reveal_reporter(case=case, actor=world.users["worker_a1"])
    with pytest.raises(CaseNotFound):
        actions.reveal_reporter(case=case, actor=world.users["secretary_b"])
    assert ReporterAccessLog.objects.filter(granted=True).count() == 0  # the refused attempt: granted=False

    clerk = world.users["clerk"]
    data = actions.reveal_reporter(case=case, actor=clerk, channel="api", ip_address="10.0.0.8")
    assert data == {"name": "张三", "phone": "13812341234", "anonymous": False}
    log = ReporterAccessLog.objects.get(granted=True)
    assert (log.user, log.case, log.channel, log.ip_address) == (clerk, case, "api", "10.0.0.8")
    assert log.accessed_at is not None
    actions.reveal_reporter(case=case, actor=clerk)
    assert ReporterAccessLog.objects.filter(case=case, user=clerk).count() == 2  # every view, not once


def test_those_handling_an_open_case_may_call_its_reporter(world):
    """先联系后办理: the department officer and the grid worker a case is handed to may unmask its
    reporter while they handle it (logged); not once it is closed, and nobody else of their rank."""
    from wangge.cases.choices import CaseStatus
    from wangge.testing import case_in_state

    case = case_in_state(world, CaseStatus.DISPATCHED)
    officer, worker = world.users["chengguan"], world.users["worker_a1"]
    assert permissions.may_reveal_reporter(officer, case) and not permissions.may_reveal_reporter(worker, case)
    assert actions.reveal_reporter(case=case, actor=officer)["phone"] == "13812341234"
    with pytest.raises(ActionForbidden):
        actions.reveal_reporter(case=case, actor=worker)
    assert list(ReporterAccessLog.objects.order_by("pk").values_list("user", "granted")) == [
        (officer.pk, True), (worker.pk, False)]

    clerk = world.users["clerk"]
    accepted = actions.accept_case(case=file_case(world), actor=clerk, category=make_category())
    handed = actions.dispatch_case(case=accepted, actor=clerk, lead=Target(region=world.grids[0]))
    assert permissions.may_reveal_reporter(worker, handed)
    assert not permissions.may_reveal_reporter(world.users["chengguan"], handed)

    closed = case_in_state(world, CaseStatus.CLOSED)
    assert not permissions.may_reveal_reporter(officer, closed)
    with pytest.raises(ActionForbidden):
        actions.reveal_reporter(case=closed, actor=officer)


def test_the_view_reporter_permission_unmasks_for_any_role(world, cases):
    worker = world.users["worker_a1"]
    worker.user_permissions.add(Permission.objects.get(codename="view_reporter", content_type__app_label="cases"))
    worker = type(worker).objects.get(pk=worker.pk)
    assert actions.reveal_reporter(case=cases["A1"], actor=worker)["phone"] == "13812341234"
    assert ReporterAccessLog.objects.filter(user=worker).count() == 1


def test_anonymous_report_keeps_no_name(world):
    case = file_case(world, reporter_anonymous=True, reporter_name="王五")
    assert case.reporter_name == "" and case.reporter_anonymous is True
    assert actions.reveal_reporter(case=case, actor=world.users["clerk"])["name"] == ""


def test_dispatch_extends_scope_to_the_department(world, cases):
    officer = world.users["huanwei"]
    assert visible(officer, cases) == {"A2"}
    actions.dispatch_case(case=cases["B1"], actor=world.users["clerk"],
                          lead=Target(department=world.departments["huanwei"]))
    assert visible(officer, cases) == {"A2", "B1"}


# --------------------------------------------------------------------------------------------
# One's own cases outside one's territory (filed there, or handed in person before a move)
# --------------------------------------------------------------------------------------------


def _moved_worker(world, cases):
    """worker_a1 files a case in grid B1 (met on the way) and is handed A1's case in person,
    then is moved to grid B2: the B1 case was filed by them, the A1 case handed to them — both
    outside the territory they hold now."""
    from wangge.org.models import RoleAssignment, User

    worker = world.users["worker_a1"]
    filed = file_case(world, grid=world.grids[2], actor=worker)
    actions.dispatch_case(case=cases["A1"], actor=world.users["clerk"], lead=Target(user=worker))
    RoleAssignment.objects.filter(user=worker, role=Role.GRID_WORKER).update(region=world.grids[3])
    return User.objects.get(pk=worker.pk), {**cases, "filed": filed}


def test_own_cases_outside_the_territory_stay_visible(world, cases):
    worker, cases = _moved_worker(world, cases)
    assert visible(worker, cases) == {"A1", "filed", "B2"}
    for name in ("A1", "filed", "B2"):
        assert selectors.case_for(worker, cases[name].number).pk == cases[name].pk
    for name in ("A2", "B1"):
        with pytest.raises(CaseNotFound):
            selectors.case_for(worker, cases[name].number)


def test_many_own_cases_outside_give_the_same_list(world, cases, monkeypatch):
    """Past the limit of ids named, the filter asks the database for the user's own cases: the
    same cases either way."""
    worker, cases = _moved_worker(world, cases)
    monkeypatch.setattr(permissions, "PERSONAL_OUTSIDE_LIMIT", 1)
    assert visible(worker, cases) == {"A1", "filed", "B2"}


def test_a_grid_workers_list_is_their_grid_alone_when_nothing_of_theirs_lies_outside(world, cases):
    """The filter is then the grid's own column, which the (grid, submitted) index serves in
    newest-first order — no per-case look-up of assignments or filer across the city."""
    worker = world.users["worker_a1"]
    sql = str(selectors.cases_visible_to(worker).order_by("-submitted_at").query)
    where = sql[sql.index(" WHERE "):sql.index(" ORDER BY ")]
    assert where == f' WHERE "cases_case"."grid_id" = {world.grids[0].pk}'
    assert visible(worker, cases) == {"A1"}
