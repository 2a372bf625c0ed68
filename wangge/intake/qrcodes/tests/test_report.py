"""A report filed through a scanned code, end to end through the portal's form: channel "qr_page",
the code's place whatever the browser posts, the timeline linked to the code, and the deadlines
of S3 (5 working days; 15 for cross-department work) from the category's policy."""

from __future__ import annotations

import datetime as dt

from wangge.cases.choices import Channel, DurationUnit, EventType
from wangge.cases.models import Case, SlaPolicy
from wangge.cases.sla import LOCAL_TZ
from wangge.intake.qrcodes import actions
from wangge.intake.qrcodes.models import QrCode
from wangge.intake.qrcodes.signing import token_for
from wangge.testing import make_category
from wangge.workdays.calendar import load_calendar


def report(client, token, **data):
    form = {"qr": token, "description": "楼道灯不亮已经一个星期了，晚上很黑", "category": "", **data}
    return client.post("/r/report/", form)


def test_a_scanned_report_lands_at_the_codes_place_on_the_qr_channel(client, world, building_code, building):
    token = token_for(building_code.pk)
    # A browser may post any place: the code's place wins (the field is locked).
    response = report(client, token, region=world.grids[3].pk, longitude="116.315", latitude="39.915",
                      reporter_phone="13900001234")
    assert response.status_code == 302 and "/r/report/done/" in response["Location"]
    case = Case.objects.get()
    assert case.channel == Channel.QR_PAGE
    assert case.region == building and case.grid == world.grids[0] and case.community == world.communities[0]
    assert case.longitude is None
    created = case.events.get(type=EventType.CREATED)
    assert created.related == building_code


def test_a_refused_report_keeps_the_place_locked_and_writes_nothing(client, grid_code):
    response = report(client, token_for(grid_code.pk), description="灯坏")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and 'data-testid="qr-place"' in html and grid_code.place_name in html
    assert Case.objects.count() == 0


def test_a_code_retired_while_the_form_was_open_files_nothing(client, world, grid_code):
    token = token_for(grid_code.pk)
    actions.retire_qr_code(actor=world.users["secretary_a"], code=grid_code)
    response = report(client, token)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 410
    assert Case.objects.count() == 0


def test_the_web_report_page_is_unchanged_without_a_code(client, world):
    html = client.get("/r/report/").content.decode()
    assert 'id="id_region"' in html and 'data-testid="qr-place"' not in html


def _due_day(case: Case, days: int) -> dt.date:
    start = case.submitted_at.astimezone(LOCAL_TZ).date()
    return load_calendar().add_working_days(start, days)[0]


def test_qr_cases_carry_the_s3_targets_from_the_category_policy(client, world, grid_code):
    """S3: 码上办 cases done within 5 working days, cross-department ones within 10–15. The policies
    come with the platform (cases migration 0003); a category names the one it follows."""
    default = SlaPolicy.objects.get(is_default=True)
    joint = SlaPolicy.objects.get(name="跨部门事件（15个工作日）")
    assert default.target("resolve") == (5, DurationUnit.WORKING_DAYS)
    assert joint.target("resolve") == (15, DurationUnit.WORKING_DAYS)
    cross = make_category("占道经营与违建", code="cross", policy=joint, department=world.departments["chengguan"])
    token = token_for(grid_code.pk)

    report(client, token)  # "not sure": the default policy
    report(client, token, category=cross.pk)
    plain, joint_case = Case.objects.order_by("pk")
    assert plain.sla_policy == default and joint_case.sla_policy == joint
    assert plain.resolve_due_at.astimezone(LOCAL_TZ).date() == _due_day(plain, 5)
    assert joint_case.resolve_due_at.astimezone(LOCAL_TZ).date() == _due_day(joint_case, 15)
    assert QrCode.objects.get().is_active  # filing does not use a code up
