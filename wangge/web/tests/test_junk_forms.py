"""Every form a page shows, posted with junk in every field (a NUL byte, which PostgreSQL's text
refuses; a number past any key; a non-ASCII digit), answers with a message or the form again —
never a 500. The forms are read off the pages a leader, a community secretary and a grid worker
open (their home, lists, a case, a meeting), as a browser would find them."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from wangge.cases import actions as case_actions
from wangge.meetings import actions as meeting_actions
from wangge.meetings.choices import MeetingKind, MeetingLevel
from wangge.testing import file_case, make_category

pytestmark = pytest.mark.django_db

JUNK = ("a\x00b", "9" * 25, "²")


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._open = (a.get("method") or "get").lower() == "post"
            if self._open:
                self.forms.append((a.get("action") or "", set()))
        elif self._open and tag in ("input", "select", "textarea") and a.get("name") not in (None, "csrfmiddlewaretoken"):
            self.forms[-1][1].add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = False


def _pages(world):
    from django.utils import timezone

    secretary = world.users["secretary_a"]
    case = file_case(world)
    on_agenda = case_actions.accept_case(case=file_case(world, title="夜市噪音", category=make_category("噪音扰民", star=2)), actor=world.users["clerk"])
    meeting = meeting_actions.create_meeting(
        actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY, region=world.communities[0],
        scheduled_at=timezone.now() + timezone.timedelta(days=1), place="会议室")
    meeting_actions.add_agenda_item(meeting=meeting, actor=secretary, case=on_agenda)
    # A 双月协商会 is published with a department invited; its day page: decide, attendance.
    meeting_actions.add_participant(meeting=meeting, actor=secretary, department=world.departments["chengguan"])
    meeting = meeting_actions.publish_agenda(meeting=meeting, actor=secretary)
    return ["/", "/cases/", case.get_absolute_url(), "/cases/new/", "/notifications/", "/account/",
            meeting.get_absolute_url(), f"{meeting.get_absolute_url()}day/", "/meetings/", "/patrols/",
            "/keypersons/", "/neighbourhood/", "/credit/"]


@pytest.mark.parametrize("who", ["leader", "secretary_a", "worker_a1"])
def test_every_form_answers_junk_without_a_server_error(world, client, who):
    pages = _pages(world)
    user = world.users[who]
    client.force_login(user)
    failures, tried = [], set()
    for page in pages:
        response = client.get(page, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            target = action or response.request["PATH_INFO"]
            if "logout" in target or (target, frozenset(fields)) in tried:
                continue
            tried.add((target, frozenset(fields)))
            for junk in JUNK:
                answer = client.post(target, {name: junk for name in fields})
                if answer.status_code >= 500:
                    failures.append(f"{target} {sorted(fields)} {junk!r}: {answer.status_code}")
                client.force_login(user)  # a form may sign out or switch the desk
    assert tried, "no form found on the pages"
    assert not failures, "\n".join(failures)
