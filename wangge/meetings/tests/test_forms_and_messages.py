"""The convener's forms as a community secretary meets them, in Chinese: a refused form comes back
open with what was typed and the error at the field; every action that succeeds says what it did;
the new-meeting form starts at the secretary's own community; labels carry no ASCII colon."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from wangge.core.actors import Actor
from wangge.meetings import actions
from wangge.meetings.choices import Decision, MeetingStatus, TopicStatus
from wangge.meetings.models import Meeting, MeetingSchedule, Participant, Topic

from .conftest import open_meeting

pytestmark = pytest.mark.django_db

VOID = {"input", "br", "hr", "img", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def find_all(self, tag=None, **attrs):
        return [n for n in self.walk() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class Page(HTMLParser):
    """Just enough of a DOM to ask what a person sees: which <details> are open, what is in a
    field, which error stands under it."""

    def __init__(self, html: str):
        super().__init__()
        self.root = self.current = Node("root", {})
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(Node("#text", {}, self.current))
        self.current.children[-1].text = data


def page(response) -> Node:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode()).root


def value(form: Node, name: str) -> str:
    """What the field ``name`` of ``form`` shows: typed text, or the chosen option's value."""
    for node in form.walk():
        if node.attrs.get("name") != name:
            continue
        if node.tag == "input":
            return node.attrs.get("value") or ""
        if node.tag == "textarea":
            return node.all_text().strip()
        if node.tag == "select":
            chosen = [o for o in node.find_all("option") if "selected" in o.attrs]
            return chosen[0].attrs.get("value", "") if chosen else ""
    raise AssertionError(f"no field {name}")


def error_at(form: Node, field: str) -> str:
    """The error shown under ``field`` (empty when there is none)."""
    box = form.find("div", data_field=field)
    return " ".join(e.all_text() for e in box.find_all("div") if "field-error" in e.attrs.get("class", ""))


def is_open(details: Node) -> bool:
    return "open" in details.attrs


def messages_on(root: Node) -> list[str]:
    return [m.all_text().strip() for m in root.find_all("div") if "msg" in m.attrs.get("class", "").split()]


@pytest.fixture
def secretary(world, client):
    client.force_login(world.users["secretary_a"])
    return world.users["secretary_a"]


# ---------------------------------------------------------------------------------------------
# 1. A refused form comes back open, as typed, with the error at the field
# ---------------------------------------------------------------------------------------------


def test_an_invitation_without_a_role_comes_back_open_with_what_was_typed(world, bimonthly, secretary, client):
    typed = {"name": "张三", "organisation": "东园物业", "phone": "13800001111", "role": ""}
    root = page(client.post(f"/meetings/{bimonthly.pk}/participants/add/", typed))
    invite = root.find("details", data_testid="invite")
    assert is_open(invite)
    form = invite.find("form")
    # The form posts to an address ending in its own anchor: the page comes back scrolled to it.
    assert form.attrs["action"].endswith("#invite") and invite.attrs["id"] == "invite"
    assert [value(form, f) for f in ("name", "organisation", "phone")] == ["张三", "东园物业", "13800001111"]
    assert error_at(form, "role") == "请选择代表身份。"
    assert error_at(form, "name") == ""
    assert not Participant.objects.filter(meeting=bimonthly, name="张三").exists()
    # Nothing wrong: the page says who was invited, and the form is closed and empty again.
    root = page(client.post(f"/meetings/{bimonthly.pk}/participants/add/", {**typed, "role": "property_company"},
                            follow=True))
    assert "已邀请 东园物业 张三。" in messages_on(root)
    assert not is_open(root.find("details", data_testid="invite"))
    assert value(root.find("details", data_testid="invite"), "name") == ""


def test_an_invited_department_is_named_in_the_confirmation(world, bimonthly, secretary, client):
    chengguan = world.departments["chengguan"]
    root = page(client.post(f"/meetings/{bimonthly.pk}/participants/add/", {"department": chengguan.pk},
                            follow=True))
    assert f"已邀请 {chengguan.name}。" in messages_on(root)
    assert bimonthly.participants.filter(department=chengguan).exists()


def test_a_topic_without_a_title_comes_back_open_with_its_description(world, bimonthly, secretary, client):
    root = page(client.post(f"/meetings/{bimonthly.pk}/topics/add/",
                            {"title": "", "description": "晚上十点后广场舞音响太吵", "is_dispute": "on"}))
    raise_ = root.find("details", data_testid="raise")
    assert is_open(raise_)
    form = raise_.find("form")
    assert value(form, "description") == "晚上十点后广场舞音响太吵"
    assert "checked" in form.find("input", name="is_dispute").attrs
    assert error_at(form, "title")  # Django's own "这个字段是必填项。"
    assert not Topic.objects.exists()
    root = page(client.post(f"/meetings/{bimonthly.pk}/topics/add/",
                            {"title": "广场舞噪音", "description": "晚上十点后音响太吵"}, follow=True))
    assert "已提出议题“广场舞噪音”，审核通过后可列入议程。" in messages_on(root)
    assert not is_open(root.find("details", data_testid="raise"))


def test_rejecting_a_topic_without_a_note_keeps_the_note_field_at_that_topic(world, bimonthly, secretary, client):
    first = actions.raise_topic(actor=Actor.of_resident(), region=world.communities[0], title="增设电动车充电桩")
    second = actions.raise_topic(actor=Actor.of_resident(), region=world.communities[0], title="修缮儿童游乐设施")
    root = page(client.post(f"/meetings/{bimonthly.pk}/topics/{second.pk}/vet/",
                            {"accept": "0", f"t{second.pk}-note": "  "}))
    forms = {f.attrs["action"].split("#")[0]: f for f in root.find("section", data_testid="topics").find_all("form", data_testid="vet-topic")}
    assert len(forms) == 2
    assert error_at(forms[f"/meetings/{bimonthly.pk}/topics/{first.pk}/vet/"], "note") == ""
    assert "审核意见" in error_at(forms[f"/meetings/{bimonthly.pk}/topics/{second.pk}/vet/"], "note")
    second.refresh_from_db()
    assert second.status == TopicStatus.PROPOSED
    root = page(client.post(f"/meetings/{bimonthly.pk}/topics/{second.pk}/vet/",
                            {"accept": "0", f"t{second.pk}-note": "不属于本社区事务"}, follow=True))
    assert "议题“修缮儿童游乐设施”未通过审核。" in messages_on(root)
    root = page(client.post(f"/meetings/{bimonthly.pk}/topics/{first.pk}/vet/", {"accept": "1"}, follow=True))
    assert "已通过议题“增设电动车充电桩”。" in messages_on(root)
    first.refresh_from_db()
    assert first.status == TopicStatus.ACCEPTED


def test_a_plan_without_a_lead_department_comes_back_with_the_plan_open(world, bimonthly, ledger_case, secretary,
                                                                         client):
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    item = meeting.items.get()
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    p = f"i{item.pk}-"
    root = page(client.post(f"/meetings/{meeting.pk}/items/{item.pk}/decide/",
                            {p + "decision": "plan", p + "outcome": "城管牵头，每晚十点后巡查夜市",
                             p + "notes": "居民代表同意", p + "deadline": deadline}))
    form = root.find("form", data_testid="decide-form")
    assert value(form, p + "decision") == "plan"
    assert value(form, p + "outcome") == "城管牵头，每晚十点后巡查夜市"
    assert value(form, p + "notes") == "居民代表同意"
    assert value(form, p + "deadline") == deadline
    assert is_open(form.find("details", data_testid="plan"))
    assert error_at(form, "lead_department") == "请选择牵头部门。"
    item.refresh_from_db()
    assert not item.decision


def test_a_decision_the_page_cannot_show_any_more_is_refused_with_a_message(world, bimonthly, ledger_case,
                                                                             secretary, client):
    """The agenda is not published: the day page shows no decision form, so the refusal is a message."""
    item = actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    p = f"i{item.pk}-"
    root = page(client.post(f"/meetings/{bimonthly.pk}/items/{item.pk}/decide/",
                            {p + "decision": "solved", p + "outcome": "当场协调"}, follow=True))
    assert "议定须在会议进行中（议程公布后）进行。" in messages_on(root)
    item.refresh_from_db()
    assert not item.decision


def test_a_new_meeting_without_a_time_comes_back_as_typed(world, secretary, client):
    root = page(client.post("/meetings/", {"kind": "deliberation", "level": "community",
                                          "region": world.communities[0].pk, "scheduled_at": "",
                                          "place": "东园社区会议室", "title": "停车难议事会"}))
    form = root.find("form", data_testid="new-meeting")
    assert form.attrs["action"] == "/meetings/"
    assert [value(form, f) for f in ("kind", "level", "region", "place", "title")] == [
        "deliberation", "community", str(world.communities[0].pk), "东园社区会议室", "停车难议事会"]
    assert error_at(form, "scheduled_at")
    assert not Meeting.objects.exists()
    # An action's refusal lands at the field it names: a territory that does not match the level.
    root = page(client.post("/meetings/", {"kind": "deliberation", "level": "subdistrict",
                                          "region": world.communities[0].pk, "scheduled_at": "2030-05-01T09:30",
                                          "place": "东园社区会议室"}))
    form = root.find("form", data_testid="new-meeting")
    assert error_at(form, "region") == "所选辖区与会议层级不符。"
    assert value(form, "place") == "东园社区会议室"


def test_a_recurring_meeting_without_a_name_comes_back_as_typed(world, secretary, client):
    root = page(client.post("/meetings/schedules/new/", {
        "name": "", "kind": "bimonthly", "level": "community", "region": world.communities[0].pk,
        "recurrence": "every_two_months", "first_date": "2030-01-15", "place": "东园社区会议室"}))
    form = root.find("form", data_testid="new-schedule")
    assert error_at(form, "name")
    assert value(form, "first_date") == "2030-01-15" and value(form, "place") == "东园社区会议室"
    # The other form on the page still posts to the schedule page, not to this address.
    assert root.find("form", data_testid="new-meeting").attrs["action"] == "/meetings/"
    assert not MeetingSchedule.objects.exists()


def test_an_amendment_too_long_comes_back_with_its_text(world, bimonthly, ledger_case, secretary, client):
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    actions.decide_item(item=meeting.items.get(), actor=secretary, decision=Decision.SOLVED, outcome="当场协调")
    actions.close_meeting(meeting=meeting, actor=secretary)
    text = "补" * 2001
    response = client.post(f"/meetings/{meeting.pk}/minutes/", {"do": "amend", "text": text})
    body = response.content.decode()
    assert response.status_code == 200 and text in body and "修改意见过长" in body
    root = page(client.post(f"/meetings/{meeting.pk}/minutes/", {"do": "amend", "text": "请补记王五的发言"},
                            follow=True))
    assert "已提出修改意见，召集人签发纪要前将予以处理。" in messages_on(root)


# ---------------------------------------------------------------------------------------------
# 2. Every action that succeeds says what it did
# ---------------------------------------------------------------------------------------------


def test_building_the_agenda_confirms_each_step(world, bimonthly, ledger_case, secretary, client):
    url = f"/meetings/{bimonthly.pk}/"
    root = page(client.post(f"{url}items/add/", {"case": ledger_case.pk}, follow=True))
    assert f"已将 {ledger_case.number} 列入议程。" in messages_on(root)
    item = bimonthly.items.get()
    root = page(client.post(f"{url}items/{item.pk}/remove/", follow=True))
    assert "已将“小区门口夜市噪音扰民”移出议程。" in messages_on(root)
    root = page(client.post(f"{url}propose/", follow=True))
    assert "已按台账和已审核议题列入 1 项。" in messages_on(root)
    root = page(client.post(f"{url}propose/", follow=True))
    assert "没有可新列入的事项：台账诉求和已审核议题均已列入议程。" in messages_on(root)
    topic = actions.raise_topic(actor=Actor.of_resident(), region=world.communities[0], title="增设电动车充电桩")
    actions.vet_topic(topic=topic, actor=secretary, accept=True)
    root = page(client.post(f"{url}items/add/", {"topic": topic.pk}, follow=True))
    assert "已将“增设电动车充电桩”列入议程。" in messages_on(root)
    # A 双月协商会's agenda is published with a department at the table.
    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    root = page(client.post(f"{url}publish/", follow=True))
    assert "议程已公布，已通知参会人员。" in messages_on(root)


def test_holding_the_meeting_confirms_each_step(world, bimonthly, ledger_case, secretary, client):
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    item = meeting.items.get()
    convener = meeting.participants.get(user=secretary)
    root = page(client.post(f"/meetings/{meeting.pk}/items/{item.pk}/attendance/",
                            {f"a{item.pk}-present": [convener.pk]}, follow=True))
    assert "已保存“小区门口夜市噪音扰民”的出席情况。" in messages_on(root)
    root = page(client.post(f"/meetings/{meeting.pk}/items/{item.pk}/decide/",
                            {f"i{item.pk}-decision": "solved", f"i{item.pk}-outcome": "当场协调"}, follow=True))
    # The case has no handler yet: the page says it is not resolved, never that it is.
    assert (f"已记录“小区门口夜市噪音扰民”的议定结果：当场解决。诉求{ledger_case.number}尚未办结：尚无承办方，请先派单。"
            in messages_on(root))
    root = page(client.post(f"/meetings/{meeting.pk}/close/", follow=True))
    assert "已散会，纪要草稿已生成。" in messages_on(root)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    root = page(client.post(f"/meetings/{meeting.pk}/minutes/", {"do": "summary", "summary": "会议议定一项"},
                            follow=True))
    assert "纪要草稿已保存。" in messages_on(root)


def test_scheduling_a_meeting_confirms_it(world, secretary, client):
    root = page(client.post("/meetings/", {"kind": "bimonthly", "level": "community",
                                          "region": world.communities[0].pk, "scheduled_at": "2030-05-01T09:30",
                                          "place": "东园社区会议室", "title": "五月双月协商会"}, follow=True))
    assert "已安排会议：五月双月协商会。" in messages_on(root)


# ---------------------------------------------------------------------------------------------
# 3. The new-meeting form starts at the user's own level; labels without an ASCII colon
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, level, region", [("secretary_a", "community", "community"),
                                                ("leader", "subdistrict", "subdistrict")])
def test_the_new_meeting_form_starts_at_the_users_own_territory(world, client, who, level, region):
    client.force_login(world.users[who])
    root = page(client.get("/meetings/"))
    territory = world.communities[0] if region == "community" else world.subdistrict
    for testid in ("new-meeting", "new-schedule"):
        form = root.find("form", data_testid=testid)
        assert value(form, "level") == level, testid
        assert value(form, "region") == str(territory.pk), testid


def test_form_labels_have_no_ascii_colon(world, bimonthly, ledger_case, secretary, client):
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    for url in ("/meetings/", f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/day/"):
        labels = [label.all_text().strip() for label in page(client.get(url)).find_all("label")]
        assert labels and not [x for x in labels if x.endswith(":")], (url, labels)
    assert "类型 *" in [label.all_text().strip() for label in page(client.get("/meetings/")).find_all("label")]
