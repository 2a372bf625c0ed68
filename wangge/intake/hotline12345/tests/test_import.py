"""The 12345 hand-over import end to end: mapping, preview, the validation report, the two modes,
idempotent re-imports, what the hotline's files really hold (GBK, leading zeros, Excel dates,
full-width characters), the background job, the reports."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wangge.cases import actions as case_actions
from wangge.cases.choices import CaseStatus, Channel
from wangge.cases.models import Case
from wangge.core.errors import DomainError, Forbidden, InvalidInput
from wangge.intake.hotline12345 import actions, jobs
from wangge.intake.hotline12345.choices import (
    DEFAULT_MAPPING,
    ImportMode,
    JobStatus,
    Outcome,
)
from wangge.intake.hotline12345.models import ImportJob, ImportLine, ImportSource
from wangge.intake.hotline12345.rows import HOTLINE_TZ

from .conftest import HEAD, csv_bytes, order, upload, xlsx

pytestmark = pytest.mark.django_db

ALL, VALID = ImportMode.ALL_OR_NOTHING, ImportMode.VALID_ONLY
BJ = HOTLINE_TZ


def filed(number: str) -> Case:
    return Case.objects.get(source="12345", external_id=number)


# --- mapping ----------------------------------------------------------------------------------


def test_a_source_keeps_its_column_mapping(world, source):
    mapping = dict(DEFAULT_MAPPING, description="反映内容", reporter_phone="手机")
    changed = actions.save_source(actor=world.users["clerk"], source=source, name="市12345", subdistrict=world.subdistrict,
                                  mapping=mapping, header_row=2)
    changed = ImportSource.objects.get(pk=source.pk)
    assert changed.mapping["description"] == "反映内容" and changed.mapping["reporter_phone"] == "手机"
    assert changed.header_row == 2 and changed.name == "市12345"


def test_a_mapping_without_order_number_or_description_is_refused(world, source):
    with pytest.raises(InvalidInput) as error:
        actions.save_source(actor=world.users["clerk"], name="x", subdistrict=world.subdistrict,
                            mapping=dict(DEFAULT_MAPPING, order_number=""))
    assert error.value.fields == {"mapping": "required"}
    with pytest.raises(InvalidInput):
        actions.save_source(actor=world.users["clerk"], name="x", subdistrict=world.subdistrict,
                            mapping=dict(DEFAULT_MAPPING, title="诉求内容"))  # one column, two fields
    assert ImportSource.objects.count() == 1


def test_only_dispatchers_of_the_subdistrict_import(world, source):
    with pytest.raises(Forbidden):
        actions.save_source(actor=world.users["worker_a1"], name="x", subdistrict=world.subdistrict,
                            mapping=DEFAULT_MAPPING)
    with pytest.raises(InvalidInput):  # a community secretary does not reach the whole sub-district
        actions.save_source(actor=world.users["secretary_a"], name="x", subdistrict=world.subdistrict,
                            mapping=DEFAULT_MAPPING)
    with pytest.raises(Forbidden):
        actions.upload_file(actor=world.users["chengguan"], source=source, upload=upload("a.csv", b"x"))


def test_a_file_mapped_by_the_sources_headings_is_read_with_them(world, run, source):
    head = ["序号", "编号", "内容"]
    actions.save_source(actor=world.users["clerk"], source=source, name=source.name, subdistrict=world.subdistrict,
                        mapping={"order_number": "编号", "description": "内容"}, header_row=2)
    content = ("12345转办工单\r\n" + ",".join(head) + "\r\n1,A-1,路灯不亮\r\n").encode()
    job = run("orders.csv", content)
    assert (job.status, job.failure, job.errors) == (JobStatus.READY, "", [])
    job = run("orders.csv", content, mode=VALID)
    assert job.status == JobStatus.DONE and job.filed_count == 1
    case = filed("A-1")
    assert case.description == "路灯不亮" and case.subdistrict == world.subdistrict


# --- preview and the validation report --------------------------------------------------------


def test_the_preview_shows_the_first_rows_as_they_will_be_filed(world, run):
    rows = [order(i, 工单标题="路口摆摊" if i == 1 else "") for i in range(1, 13)]
    job = run("orders.xlsx", xlsx(rows))
    assert job.status == JobStatus.READY and (job.total_rows, job.valid_rows, job.invalid_rows) == (12, 12, 0)
    assert len(job.preview) == 10
    first, second = job.preview[:2]
    assert first["title"] == "路口摆摊" and first["line"] == 2
    assert second["title"] == "第2号：小区门口流动摊贩占道经营"  # no title: the start of the description
    assert first["reporter_phone"] == "138****1234" and first["category"] == "占道经营"
    assert first["place"] == "东园社区" and first["received_at"].startswith("2026-03-01T08:30")
    assert not Case.objects.exists()  # checking files nothing


def test_the_preview_shows_the_times_in_beijing_time_to_the_minute(world, run, client):
    rows = [order(1, 受理时间="2026-03-01T08:30", 办理时限="2026-03-03T18:00"),
            order(2, 受理时间=dt.datetime(2026, 3, 1, 9, 5), 办理时限=dt.datetime(2026, 3, 4, 17, 0))]
    job = run("orders.xlsx", xlsx(rows))
    client.force_login(world.users["clerk"])
    page = client.get(f"/intake/12345/jobs/{job.pk}/").content.decode()
    received = re.findall(r'data-testid="received-at">([^<]*)<', page)
    deadlines = re.findall(r'data-testid="hotline-deadline">([^<]*)<', page)
    assert received == ["2026-03-01 08:30", "2026-03-01 09:05"]
    assert deadlines == ["2026-03-03 18:00", "2026-03-04 17:00"]
    # The free text wraps so that the times stay in sight; the table scrolls in its card.
    assert 'class="table-wrap"><table class="table import-preview" data-testid="preview">' in page
    assert "/static/intake_12345/import.css" in page


def test_the_job_page_shows_preview_and_report_in_chinese(world, run, client):
    job = run("orders.xlsx", xlsx([order(1), order(2, 联系电话="12345")]))
    client.force_login(world.users["clerk"])
    page = client.get(f"/intake/12345/jobs/{job.pk}/").content.decode()
    assert "GD2026030100001" in page and "第1号" in page
    assert "不是有效的电话号码" in page and "联系电话" in page
    assert "全部导入" in page  # the mode choice


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        ({"工单编号": ""}, "工单编号", "required"),
        ({"诉求内容": "   "}, "诉求内容", "required"),
        ({"事发地址": "路" * 201}, "事发地址", "too_long"),
        ({"联系电话": "12345"}, "联系电话", "invalid_phone"),
        ({"诉求类别": "不存在的类别"}, "诉求类别", "unknown_category"),
        ({"所属社区": "火星社区"}, "所属社区", "unknown_place"),
        ({"受理时间": "昨天下午"}, "受理时间", "invalid_time"),
        ({"受理时间": "2099-01-01 08:00", "办理时限": ""}, "受理时间", "time_in_future"),
        ({"办理时限": "2026-02-01 08:00"}, "办理时限", "deadline_before_received"),
    ],
)
def test_each_reason_names_line_and_column(run, change, column, code):
    job = run("orders.csv", csv_bytes([order(1), order(2, **change)]))
    assert (job.valid_rows, job.invalid_rows) == (1, 1)
    assert [(p["line"], p["column"], p["code"]) for p in job.errors] == [(3, column, code)]


def test_retired_category_and_duplicate_order_number_in_the_file(run, category):
    category.is_active = False
    category.save(update_fields=["is_active"])
    job = run("orders.csv", csv_bytes([order(1, 诉求类别=""), order(1, 诉求类别="")]))
    assert [(p["line"], p["code"], p["params"]) for p in job.errors] == [(3, "duplicate_in_file", {"n": 2})]
    job = run("orders.csv", csv_bytes([order(5)]))
    assert [p["code"] for p in job.errors] == ["inactive_category"]


def test_id_number_column_is_checked_as_text(world, run, source):
    actions.save_source(actor=world.users["clerk"], source=source, name=source.name, subdistrict=world.subdistrict,
                        mapping=dict(DEFAULT_MAPPING, id_number="身份证号"))
    head = [*HEAD, "身份证号"]
    good, cut = order(1, 身份证号="11010519491231002X"), order(2, 身份证号=110105194912310000)  # a number in Excel: its last digits are gone
    job = run("orders.xlsx", xlsx([good, cut], head=head))
    assert [(p["line"], p["code"]) for p in job.errors] == [(3, "invalid_id_number")]


def test_a_mapped_column_missing_from_the_file_fails_the_check(run):
    head = [h for h in HEAD if h != "联系电话"]
    job = run("orders.xlsx", xlsx([order(1)], head=head))
    assert job.status == JobStatus.FAILED
    assert [(p["line"], p["column"], p["code"]) for p in job.errors] == [(1, "联系电话", "missing_column")]
    with pytest.raises(DomainError):
        actions.start_import(actor=job.created_by, job=job, mode=VALID)


# --- the two modes ----------------------------------------------------------------------------


def test_all_or_nothing_refuses_a_file_with_errors(run):
    job = run("orders.csv", csv_bytes([order(1), order(2, 联系电话="12345")]))
    with pytest.raises(InvalidInput) as error:
        actions.start_import(actor=job.created_by, job=job, mode=ALL)
    assert "1" in str(error.value.message)
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.READY and not Case.objects.exists()


def test_all_or_nothing_files_every_row_of_a_clean_file(world, run):
    job = run("orders.csv", csv_bytes([order(i) for i in range(1, 6)]), mode=ALL)
    assert job.status == JobStatus.DONE and job.filed_count == 5
    case = filed("GD2026030100003")
    assert case.channel == Channel.HOTLINE_12345 and case.created_by == world.users["clerk"]
    assert case.community == world.communities[0] and case.category.code == "street"
    assert case.submitted_at == dt.datetime(2026, 3, 1, 8, 30, tzinfo=BJ)
    assert case.title == "第3号：小区门口流动摊贩占道经营"[:30]


def test_all_or_nothing_undoes_everything_when_a_row_is_refused_while_filing(world, run, monkeypatch):
    from wangge.testing import make_category

    rubbish = make_category("垃圾清运", department=world.departments["huanwei"], code="rubbish")
    rows = [order(i, 诉求类别="垃圾清运" if i == 4 else "占道经营") for i in range(1, 6)]
    job = run("orders.csv", csv_bytes(rows))
    assert job.valid_rows == 5
    rubbish.is_active = False  # retired between the check and the import
    rubbish.save(update_fields=["is_active"])
    monkeypatch.setattr(jobs, "BATCH", 2)  # rows 1–3 are filed before line 5 is refused
    actions.start_import(actor=job.created_by, job=job, mode=ALL)
    jobs.import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "5" in job.failure and "诉求类别" in job.failure
    assert not Case.objects.exists() and not ImportLine.objects.exists() and job.processed_rows == 0


def test_valid_only_files_the_good_rows_and_reports_the_others(run):
    rows = [order(1), order(2, 联系电话="12345"), order(3), order(4, 诉求内容="")]
    job = run("orders.csv", csv_bytes(rows), mode=VALID)
    assert job.status == JobStatus.DONE
    assert (job.filed_count, job.skipped_count, job.existing_count) == (2, 2, 0)
    assert set(Case.objects.values_list("external_id", flat=True)) == {"GD2026030100001", "GD2026030100003"}
    invalid = ImportLine.objects.get(job=job, line=3)
    assert invalid.outcome == Outcome.INVALID and "联系电话" in invalid.reason


# --- idempotency ------------------------------------------------------------------------------


def test_importing_the_same_file_again_files_nothing_twice(world, run, client):
    content = xlsx([order(i) for i in range(1, 4)])
    first = run("orders.xlsx", content, mode=VALID)
    again = run("orders.xlsx", content)
    assert again.known_rows == 3 and all(p["existing"] for p in again.preview)
    again = run("orders.xlsx", content, mode=VALID)
    assert (first.filed_count, again.filed_count, again.existing_count) == (3, 0, 3)
    assert Case.objects.count() == 3
    client.force_login(world.users["clerk"])
    page = client.get(f"/intake/12345/jobs/{again.pk}/").content.decode()
    assert "已有" in page and filed("GD2026030100002").number in page


def test_an_overlapping_file_files_only_the_new_orders(run):
    run("a.csv", csv_bytes([order(i) for i in range(1, 4)]), mode=VALID)
    job = run("b.csv", csv_bytes([order(i) for i in range(3, 6)]), mode=ALL)
    assert (job.filed_count, job.existing_count) == (2, 1)
    line = ImportLine.objects.get(job=job, order_number="GD2026030100003")
    assert line.outcome == Outcome.EXISTING and line.case == filed("GD2026030100003")
    assert Case.objects.count() == 5


# --- what the hotline's files hold ------------------------------------------------------------


def test_a_gbk_csv_is_read(run):
    job = run("orders.csv", csv_bytes([order(1, 诉求内容="楼道堆放杂物，存在消防隐患")], encoding="gbk"), mode=VALID)
    assert job.encoding == "gbk" and job.filed_count == 1
    assert filed("GD2026030100001").description == "楼道堆放杂物，存在消防隐患"


def test_a_utf8_csv_with_bom_and_quoted_line_breaks_is_read(run):
    content = b"\xef\xbb\xbf" + csv_bytes([order(1, 诉求内容='第一行\n第二行，"引号"')])
    job = run("orders.csv", content, mode=VALID)
    assert job.encoding == "utf-8" and filed("GD2026030100001").description == '第一行\n第二行，"引号"'


def test_phone_numbers_keep_their_leading_zero(run):
    rows = [order(1, 联系电话="09312932008"), order(2, 联系电话=9312932008)]
    job = run("orders.xlsx", xlsx(rows, formats={"联系电话": "00000000000"}), mode=VALID)
    assert job.filed_count == 2
    assert filed("GD2026030100001").reporter_phone == "09312932008"  # a text cell
    assert filed("GD2026030100002").reporter_phone == "09312932008"  # a number shown with its zero


def test_a_mobile_number_stored_as_a_number_is_not_a_float(run):
    run("orders.xlsx", xlsx([order(1, 联系电话=13812341234.0)]), mode=VALID)
    assert filed("GD2026030100001").reporter_phone == "13812341234"


def test_excel_date_serials_are_dates(run):
    rows = [order(1, 受理时间=46082.5, 办理时限=46084.75)]  # 2026-03-01 12:00, 2026-03-03 18:00
    run("orders.xlsx", xlsx(rows), mode=VALID)
    run("orders.csv", csv_bytes([order(2, 受理时间="46082.5", 办理时限="")]), mode=VALID)
    assert filed("GD2026030100001").submitted_at == dt.datetime(2026, 3, 1, 12, 0, tzinfo=BJ)
    assert ImportLine.objects.get(order_number="GD2026030100001").hotline_deadline == \
        dt.datetime(2026, 3, 3, 18, 0, tzinfo=BJ)
    assert filed("GD2026030100002").submitted_at == dt.datetime(2026, 3, 1, 12, 0, tzinfo=BJ)


def test_real_excel_dates_and_chinese_date_text(run):
    rows = [order(1, 受理时间=dt.datetime(2026, 3, 2, 9, 15)), order(2, 受理时间="2026年3月2日 9:15")]
    run("orders.xlsx", xlsx(rows), mode=VALID)
    for n in ("GD2026030100001", "GD2026030100002"):
        assert filed(n).submitted_at == dt.datetime(2026, 3, 2, 9, 15, tzinfo=BJ)


def test_full_width_characters_are_normalised(run):
    row = order(1, 工单编号="ＧＤ２０２６０３０１００００１", 联系电话="１３８１２３４１２３４",
                受理时间="２０２６－０３－０１　０８：３０", 所属社区="东园社区　")
    job = run("orders.csv", csv_bytes([row]), mode=VALID)
    assert job.filed_count == 1
    case = filed("GD2026030100001")
    assert case.reporter_phone == "13812341234" and case.submitted_at == dt.datetime(2026, 3, 1, 8, 30, tzinfo=BJ)


# --- bad files: a clear error, nothing written ------------------------------------------------


def test_a_file_of_another_type_is_refused(world, source):
    with pytest.raises(InvalidInput) as error:
        actions.upload_file(actor=world.users["clerk"], source=source, upload=upload("orders.pdf", b"%PDF"))
    assert error.value.fields == {"file": "type"} and not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(world, source, settings):
    settings.WANGGE_12345_MAX_UPLOAD_BYTES = 100
    with pytest.raises(InvalidInput) as error:
        actions.upload_file(actor=world.users["clerk"], source=source, upload=upload("a.csv", b"x" * 101))
    assert error.value.fields == {"file": "too_large"} and not ImportJob.objects.exists()


def test_a_broken_workbook_fails_with_a_sentence(run):
    job = run("orders.xlsx", b"PK\x03\x04 not really a zip")
    assert job.status == JobStatus.FAILED and "Excel" in job.failure
    # A quotation mark opened and never closed (a quote inside an unquoted field, a"b, is read
    # as written — as Excel does).
    job = run("orders.csv", csv_bytes([order(1)]).replace("第1号".encode(), '"第1号'.encode()))
    assert job.status == JobStatus.FAILED and job.failure.startswith("CSV 文件第 ") and "引号不成对" in job.failure


def test_the_upload_page_answers_bad_input_with_a_message(world, source, client):
    client.force_login(world.users["clerk"])
    response = client.post("/intake/12345/upload/", {"source": source.pk, "file": upload("a.doc", b"x")})
    assert response.status_code == 400 and "Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_pages_are_for_importers_of_the_subdistrict_only(world, run, client):
    job = run("a.csv", csv_bytes([order(1)]))
    client.force_login(world.users["worker_a1"])
    assert client.get("/intake/12345/").status_code == 404
    client.force_login(world.users["secretary_a"])  # a dispatcher, but of one community
    assert client.get(f"/intake/12345/jobs/{job.pk}/").status_code == 404
    client.force_login(world.users["leader"])
    assert client.get(f"/intake/12345/jobs/{job.pk}/").status_code == 200


# --- the background job -----------------------------------------------------------------------


def test_progress_is_polled_and_an_interrupted_job_resumes(world, run, client, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(jobs, "BATCH", 2)
    real = jobs.create_case
    calls = {"n": 0}

    def dies_on_the_fifth(**kwargs):  # the worker "dies" in the third batch
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(jobs, "create_case", dies_on_the_fifth)
    job = run("orders.csv", csv_bytes([order(i) for i in range(1, 8)]), mode=VALID)
    assert job.status == JobStatus.FAILED and (job.processed_rows, job.filed_count) == (4, 4)
    assert job.percent == 4 * 100 // 7

    client.force_login(world.users["clerk"])  # the clerk comes back: the page shows where it stands
    page = client.get(f"/intake/12345/jobs/{job.pk}/").content.decode()
    assert 'data-status="failed"' in page and "继续" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/intake/12345/jobs/{job.pk}/resume/").status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.processed_rows, job.filed_count, job.existing_count) == (7, 7, 0)
    assert Case.objects.count() == 7 and ImportLine.objects.filter(job=job).count() == 7


def test_the_progress_partial_polls_while_running_and_reloads_when_done(world, run, client):
    job = run("orders.csv", csv_bytes([order(1)]))
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, mode=VALID, processed_rows=0)
    client.force_login(world.users["clerk"])
    partial = client.get(f"/intake/12345/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode() and "HX-Refresh" not in partial
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, processed_rows=1)
    partial = client.get(f"/intake/12345/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "every 1s" not in partial.content.decode() and partial["HX-Refresh"] == "true"


def test_a_running_job_cannot_be_started_twice(run):
    job = run("orders.csv", csv_bytes([order(1)]), mode=VALID)
    with pytest.raises(DomainError):
        actions.start_import(actor=job.created_by, job=job, mode=VALID)
    jobs.import_job(job.pk)  # a second delivery of the task does nothing
    assert Case.objects.count() == 1 and ImportLine.objects.count() == 1


# --- reports ----------------------------------------------------------------------------------


def test_the_result_report_downloads_as_xlsx(world, run, client):
    rows = [order(1), order(2, 联系电话="12345"), order(3, 工单编号="=HYPERLINK(1)")]
    job = run("orders.csv", csv_bytes(rows), mode=VALID)
    client.force_login(world.users["clerk"])
    response = client.get(f"/intake/12345/jobs/{job.pk}/report.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["行号", "工单编号", "结果", "事件编号", "原因", "办理时限", "事件办结时限"]
    assert values[1][:4] == [2, "GD2026030100001", "已立案", filed("GD2026030100001").number]
    assert values[2][2] == "未通过校验" and "联系电话" in values[2][4]
    assert values[3][1] == "'=HYPERLINK(1)"  # a formula in a hotline's cell stays text
    case = filed("GD2026030100001")
    assert values[1][5:] == ["2026-03-03 18:00:00", f"{case.resolve_due_at.astimezone(BJ):%Y-%m-%d %H:%M:%S}"]
    assert values[2][5:] == [None, None]  # a row with errors files no case


def test_the_reply_upward_carries_what_was_done_the_answer_and_the_times(world, run, client):
    run("orders.csv", csv_bytes([order(1), order(2, 受理时间="2026-02-01 08:00", 办理时限="")]), mode=VALID)
    case, clerk, officer = filed("GD2026030100001"), world.users["clerk"], world.users["chengguan"]
    case = case_actions.accept_case(case=case, actor=clerk)
    case = case_actions.dispatch_case(case=case, actor=clerk, lead=case_actions.Target(department=world.departments["chengguan"]))
    case = case_actions.claim_case(case=case, actor=officer)
    case = case_actions.resolve_case(case=case, actor=officer, result="已清理摊贩，恢复通行")
    assert case.status == CaseStatus.RESOLVED
    client.force_login(clerk)
    response = client.get("/intake/12345/reply/", {"start": "2026-03-01", "end": "2026-03-31"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    head = rows[0]
    assert len(rows) == 2  # the February order is outside the period
    row = dict(zip(head, rows[1]))
    assert row["工单编号"] == "GD2026030100001" and row["事件编号"] == case.number
    assert row["答复"] == "已清理摊贩，恢复通行" and row["承办部门"] == "区城管执法局"
    assert row["受理时间"] == "2026-03-01 08:30:00" and row["办理时限"] == "2026-03-03 18:00:00"
    assert row["办结时间"] and row["办理状态"] == "已办结"
    bad = client.get("/intake/12345/reply/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert bad.status_code == 302


# --- the hotline's deadline (办理时限) -----------------------------------------------------------


def _minute(moment: dt.datetime) -> str:
    return f"{moment.astimezone(BJ):%Y-%m-%d %H:%M}"


def test_a_case_imported_with_an_earlier_hotline_deadline_is_due_at_it(world, run):
    now = timezone.now().replace(second=0, microsecond=0)
    deadline = now + dt.timedelta(hours=2)
    job = run("orders.csv", csv_bytes([order(1, 受理时间=_minute(now - dt.timedelta(hours=1)), 办理时限=_minute(deadline))]),
              mode=ALL)
    assert job.status == JobStatus.DONE
    case = filed("GD2026030100001")
    assert case.resolve_due_at == deadline and case.source_due_at == deadline
    assert case.accept_due_at <= deadline and case.dispatch_due_at <= deadline
    created = case.events.get(type="created")
    assert dt.datetime.fromisoformat(created.data["source_due_at"]) == deadline
    # A reclassification to a slower category keeps the hotline's deadline.
    from wangge.testing import make_category

    slow = make_category("慢类", policy=case.sla_policy)
    case = case_actions.accept_case(case=case, actor=world.users["clerk"], category=slow)
    assert case.resolve_due_at <= deadline


def test_an_order_already_late_is_filed_red(world, run):
    """12345 sent it late (or it waited in a file): it starts red, not green with a fresh clock."""
    from wangge.cases.choices import Light

    now = timezone.now().replace(second=0, microsecond=0)
    job = run("orders.csv", csv_bytes([order(1, 受理时间=_minute(now - dt.timedelta(days=3)),
                                              办理时限=_minute(now - dt.timedelta(hours=1)))]), mode=ALL)
    assert job.status == JobStatus.DONE
    case = filed("GD2026030100001")
    assert case.resolve_due_at < now and case.light == Light.RED


def test_a_later_hotline_deadline_leaves_the_cases_own_stricter_deadline(world, run, client):
    now = timezone.now().replace(second=0, microsecond=0)
    received, late, early = now - dt.timedelta(hours=1), now + dt.timedelta(days=200), now + dt.timedelta(hours=2)
    rows = [order(1, 受理时间=_minute(received), 办理时限=_minute(late)),
            order(2, 受理时间=_minute(received), 办理时限=_minute(early))]
    job = run("orders.csv", csv_bytes(rows), mode=VALID)
    assert job.filed_count == 2
    first, second = filed("GD2026030100001"), filed("GD2026030100002")
    assert received < first.resolve_due_at < late  # the category's clock: stricter than the hotline's
    assert second.resolve_due_at == early  # the hotline's: stricter than the category's
    # Only a case whose deadline went past the hotline's since (an extension granted here) is named.
    client.force_login(world.users["clerk"])
    page = client.get(f"/intake/12345/jobs/{job.pk}/").content.decode()
    assert 'data-testid="due-after-rows"' not in page
    Case.objects.filter(pk=second.pk).update(resolve_due_at=early + dt.timedelta(days=2))  # as an extension leaves it
    page = client.get(f"/intake/12345/jobs/{job.pk}/").content.decode()
    listed = page.split('data-testid="due-after-rows"')[1].split("</table>")[0]
    assert second.number in listed and first.number not in listed and _minute(early) in listed
