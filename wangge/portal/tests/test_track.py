"""Track (查询进度): lookup by number + phone digits, the signed link, the plain-words timeline,
and the photos behind the resident's proof."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import CaseAttachment
from wangge.org.choices import Role
from wangge.portal import presenters
from wangge.testing import case_in_state, file_case, make_user

from .conftest import png

pytestmark = pytest.mark.django_db

TRACK = "/r/track/"
NOT_FOUND = "没有找到与该编号和手机号后4位相符的诉求"


def link(case) -> str:
    return reverse("portal:case", kwargs={"token": case.tracking_token})


def without_csrf(html: str) -> str:
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", html)


# --- lookup -----------------------------------------------------------------------------------


def test_lookup_page(client, world):
    html = client.get(TRACK).content.decode()
    assert "查询编号" in html and "手机号后4位" in html and 'data-testid="track-submit"' in html


def test_lookup_by_number_and_phone_digits(client, world):
    case = file_case(world)  # phone 13812341234
    response = client.post(TRACK, {"number": case.number, "phone_last4": "1234"})
    assert response.status_code == 302 and response["Location"] == link(case)


def test_lookup_forgives_spaces_and_lower_case(client, world):
    case = file_case(world)
    response = client.post(TRACK, {"number": f"  {case.number.lower()} ", "phone_last4": "1234"})
    assert response["Location"] == link(case)


def test_lookup_takes_full_width_characters(client, world):
    """A Chinese input method in full-width mode types ＷＧ… and ５６７８: the same report, and
    no wrong attempt counted against the number."""
    case = file_case(world)  # phone 13812341234
    full_width = case.number.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    response = client.post(TRACK, {"number": full_width, "phone_last4": "１２３４"})
    assert response.status_code == 302 and response["Location"] == link(case)
    html = client.get(TRACK).content.decode()
    assert 'pattern="[0-9０-９]{4}"' in html and 'title="请输入手机号的后4位数字' in html


@pytest.mark.parametrize("typed", ["{day}{serial}", "WG{day}{serial}", "{day}-{serial}", "WG{day}——{serial}",
                                   "WG {day} {serial}"])
def test_lookup_takes_the_number_without_its_dash_or_letters(client, world, typed):
    """On a phone's number pad the dash and "WG" are on other keyboards (a Chinese dash is —):
    a number typed without them finds the report, and counts no wrong attempt."""
    case = file_case(world)  # phone 13812341234
    day, serial = case.number.removeprefix("WG").split("-")
    response = client.post(TRACK, {"number": typed.format(day=day, serial=serial), "phone_last4": "1234"})
    assert response.status_code == 302 and response["Location"] == link(case)


def test_wrong_digits_and_unknown_number_get_the_same_answer(client, world):
    case = file_case(world)
    wrong_digits = client.post(TRACK, {"number": case.number, "phone_last4": "9999"})
    unknown = client.post(TRACK, {"number": "WG20990101-99999", "phone_last4": "9999"})
    assert wrong_digits.status_code == unknown.status_code == 200
    a, b = wrong_digits.content.decode(), unknown.content.decode()
    assert NOT_FOUND in a and NOT_FOUND in b
    # Same page apart from what the resident typed (and the CSRF token).
    assert without_csrf(a).replace(case.number, "N") == without_csrf(b).replace("WG20990101-99999", "N")


def test_case_without_a_phone_cannot_be_looked_up_by_number(client, world):
    case = file_case(world, reporter_phone="")
    response = client.post(TRACK, {"number": case.number, "phone_last4": ""})
    assert "请输入手机号后4位" in response.content.decode()
    response = client.post(TRACK, {"number": case.number, "phone_last4": "0000"})
    assert NOT_FOUND in response.content.decode()


@pytest.mark.parametrize("number, digits, message", [
    ("", "1234", "请输入查询编号"),
    ("hello", "1234", "查询编号的格式类似"),
    ("W" * 10_000, "1234", "请核对查询编号"),
    ("WG20250101-00001", "12a4", "请输入手机号的后4位数字"),
    ("WG20250101-00001", "123", "请输入手机号的后4位数字"),
    ("WG20250101-00001", "1" * 5000, "请输入手机号的后4位数字"),
])
def test_garbage_lookups(client, world, number, digits, message):
    response = client.post(TRACK, {"number": number, "phone_last4": digits})
    assert response.status_code == 200
    assert message in response.content.decode()


# --- the case page --------------------------------------------------------------------------


def test_bad_token(client, world):
    for token in ("nope", "x" * 200, "-_-"):
        response = client.get(f"/r/t/{token}/")
        assert response.status_code == 404
        assert "这个链接打不开" in response.content.decode()


def test_case_page_in_plain_words_without_staff_names_or_full_phone(client, world):
    officer = world.users["chengguan"]
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    actions.add_progress_note(case=case, actor=officer, note="内部备注：联系物业王经理", public=False)
    actions.add_progress_note(case=case, actor=officer, note="已联系摊主，明天上午清理", public=True)
    actions.urge_case(case=case, actor=world.users["leader"], note="抓紧办理")
    response = client.get(link(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and "正在处理" in html and "预计" in html
    assert "您的诉求已提交成功" in html and "已受理您的诉求" in html
    assert "已派至区城管执法局处理" in html and "区城管执法局已接单，正在处理" in html
    assert "已联系摊主，明天上午清理" in html
    # Internal notes, urging, staff names and the full phone never reach the resident.
    assert "内部备注" not in html and "抓紧办理" not in html
    for user in world.users.values():
        assert f">{user.username}<" not in html and user.display_name not in html
    assert "13812341234" not in html and "张三" not in html
    assert "/media/" not in html
    # The proof is in the URL: never cached, never indexed, never passed on.
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


def test_dispatch_to_a_person_shows_the_role_only(client, world):
    worker = make_user(Role.GRID_WORKER, region=world.grids[0], username="wangwu", display_name="王五")
    case = case_in_state(world, CaseStatus.ACCEPTED)
    actions.dispatch_case(case=case, actor=world.users["clerk"], lead=actions.Target(user=worker))
    actions.claim_case(case=case, actor=worker)
    html = client.get(link(case)).content.decode()
    assert "已派至网格员处理" in html and "网格员已接单" in html
    assert "王五" not in html and "wangwu" not in html


def test_dispatch_to_a_community_names_the_community(client, world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    actions.dispatch_case(case=case, actor=world.users["clerk"], lead=actions.Target(region=world.communities[0]))
    assert "已派至东园社区处理" in client.get(link(case)).content.decode()


def test_rejected_case_shows_the_reason(client, world):
    case = case_in_state(world, CaseStatus.REJECTED)
    html = client.get(link(case)).content.decode()
    assert "未予受理" in html and "原因：重复来电" in html


def test_a_rejected_cases_reason_is_shown_once_in_the_status_box(client, world):
    case = case_in_state(world, CaseStatus.REJECTED)
    html = client.get(link(case)).content.decode()
    assert html.count("重复来电") == 1
    status_box = html[html.index('data-testid="case-status"'):html.index("</section>")]
    assert "原因：重复来电" in status_box and 'data-testid="rejected-reason"' in status_box
    timeline = html[html.index('data-testid="timeline"'):]
    assert "原因见上方" in timeline[:timeline.index("</ol>")]


def test_resolved_case_shows_the_answer_and_its_photos(client, world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    actions.resolve_case(case=case, actor=world.users["chengguan"], result="摊贩已劝离，恢复通行",
                         attachments=[png("after.png")])
    html = client.get(link(case)).content.decode()
    assert "处理结果" in html and "摊贩已劝离，恢复通行" in html
    assert "已办结，请您评价" in html and 'data-testid="rate-submit"' in html
    photo = CaseAttachment.objects.get(case=case)
    url = reverse("portal:photo", kwargs={"token": case.tracking_token, "pk": photo.pk})
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_reporters_own_photos_are_shown(client, world):
    case = file_case(world, channel="web", actor=None, attachments=[png("mine.png")])
    photo = case.attachments.get()
    html = client.get(link(case)).content.decode()
    assert reverse("portal:photo", kwargs={"token": case.tracking_token, "pk": photo.pk}) in html


def test_photos_need_the_right_link(client, world):
    case = file_case(world, channel="web", actor=None, attachments=[png()])
    other = file_case(world, channel="web", actor=None, attachments=[png()])
    mine, theirs = case.attachments.get(), other.attachments.get()
    assert client.get(f"/r/t/{case.tracking_token}/photos/{theirs.pk}/").status_code == 404
    assert client.get(f"/r/t/wrong-token/photos/{mine.pk}/").status_code == 404
    assert client.get(f"/r/t/{case.tracking_token}/photos/{mine.pk}/").status_code == 200


def test_private_progress_photos_are_not_served(client, world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    actions.add_progress_note(case=case, actor=world.users["chengguan"], note="现场照片", public=False,
                              attachments=[png()])
    photo = case.attachments.get()
    assert client.get(f"/r/t/{case.tracking_token}/photos/{photo.pk}/").status_code == 404


def test_escalation_and_suspension_in_plain_words(client, world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    actions.escalate_case(case=case, actor=world.users["clerk"], reason="涉及多个部门")
    case = case_in_state(world, CaseStatus.SUSPENDED)
    html = client.get(link(case)).content.decode()
    assert "暂缓办理" in html and "原因：等待业主回复" in html
    escalated = client.get(link(case.__class__.objects.get(escalation_count=1))).content.decode()
    assert "已提交区级部门协调办理" in escalated and "涉及多个部门" not in escalated


def test_suspended_case_promises_no_deadline(client, world):
    """While paused the clock stands still: the stored deadline is no promise (it may be past)."""
    case = case_in_state(world, CaseStatus.SUSPENDED)
    html = client.get(link(case)).content.decode()
    assert "暂缓办理" in html
    assert "暂缓期间不计时，恢复办理后重新计算办结时间" in html
    assert 'data-testid="case-due"' not in html and presenters.when(case.resolve_due_at) not in html
    case = actions.resume_case(case=case, actor=world.users["chengguan"])
    html = client.get(link(case)).content.decode()
    assert 'data-testid="case-due"' in html and presenters.when(case.resolve_due_at) in html
    assert "暂缓期间不计时" not in html


# --- a report merged into another ---------------------------------------------------------


def merged_report(world):
    """``mine`` (the resident's report) merged — through another duplicate — into ``keeper``,
    someone else's report of the same problem, with their own words, name, phone and photo."""
    clerk = world.users["clerk"]
    keeper = case_in_state(world, CaseStatus.IN_PROGRESS, description="东门口流动摊贩占道，下午四点以后最多",
                           reporter_name="王芳", reporter_phone="13700007777", address="和平路9号王芳家门口",
                           attachments=[png("theirs.png")])
    middle = file_case(world, description="东门摆摊的又来了", reporter_phone="13600006666")
    mine = file_case(world, description="我家楼下有人摆摊卖菜，挡住了路", reporter_phone="13812341234")
    actions.merge_case(case=mine, into=middle, actor=clerk)
    actions.merge_case(case=middle, into=keeper, actor=clerk)
    mine.refresh_from_db()
    return mine, keeper


def assert_nothing_of_the_other_resident(html: str, keeper) -> None:
    for private in (keeper.description, "王芳", "13700007777", keeper.address, keeper.tracking_token, keeper.number,
                    "东门摆摊的又来了", "13600006666"):
        assert private not in html, private
    theirs = keeper.attachments.get(event__type="created")
    assert f"/photos/{theirs.pk}/" not in html


def test_merged_report_follows_the_case_it_is_handled_in(client, world):
    mine, keeper = merged_report(world)
    actions.add_progress_note(case=keeper, actor=world.users["chengguan"], note="已联系摊主，明天上午清理", public=True)
    actions.add_progress_note(case=keeper, actor=world.users["chengguan"], note="内部：摊主是王芳的邻居", public=False)
    html = client.get(link(mine)).content.decode()
    # Its progress: status, the deadline it is handled to, its public steps.
    assert 'data-testid="status-words">正在处理<' in html
    assert "已与相同诉求合并办理" not in html.split('data-testid="timeline"')[0]
    assert "合并办理" in html and presenters.when(keeper.resolve_due_at) in html
    assert "已派至区城管执法局处理" in html and "已联系摊主，明天上午清理" in html
    assert "其他居民反映了同一问题" in html and "内部" not in html
    assert "已受理您的诉求" not in html  # the other report was accepted, not the resident's
    # The resident's own report and words are still there; none of the other resident's.
    assert "我家楼下有人摆摊卖菜，挡住了路" in html and "您的诉求已提交成功" in html
    assert_nothing_of_the_other_resident(html, keeper)
    assert 'data-testid="rate-form"' not in html


def test_merged_report_shows_the_answer_but_the_rating_stays_with_its_reporter(client, world):
    mine, keeper = merged_report(world)
    actions.resolve_case(case=keeper, actor=world.users["chengguan"], result="摊贩已劝离，恢复通行",
                         attachments=[png("after.png")])
    html = client.get(link(mine)).content.decode()
    assert 'data-testid="status-words">已办结<' in html and "请您评价" not in html
    assert "处理结果" in html and "摊贩已劝离，恢复通行" in html
    # The answer's photo is served through the resident's own link.
    answer = keeper.attachments.get(event__type="resolved")
    url = reverse("portal:photo", kwargs={"token": mine.tracking_token, "pk": answer.pk})
    assert url in html and client.get(url).status_code == 200
    theirs = keeper.attachments.get(event__type="created")
    assert client.get(f"/r/t/{mine.tracking_token}/photos/{theirs.pk}/").status_code == 404
    # Rating is the surviving case's own reporter's: none here, and a forged post changes nothing.
    assert 'data-testid="rate-form"' not in html and 'data-testid="merged-rating-note"' in html
    response = client.post(reverse("portal:rate", kwargs={"token": mine.tracking_token}), {"satisfaction": "unsatisfied"})
    assert response.status_code == 302
    keeper.refresh_from_db()
    assert keeper.status == CaseStatus.RESOLVED and not keeper.rated_at
    # The other resident rates: their rating and comment are theirs only.
    actions.rate_case_as_resident(case=keeper, satisfaction="satisfied", comment="王芳觉得处理得很快")
    html = client.get(link(mine)).content.decode()
    assert "摊贩已劝离，恢复通行" in html and "王芳觉得处理得很快" not in html and "您的评价" not in html
    assert_nothing_of_the_other_resident(html, keeper)
