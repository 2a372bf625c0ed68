"""A convener in headless Chromium: build an agenda from the ledger, hold the meeting on a tablet,
publish the minutes. Any console error or foreign request fails."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from wangge.cases.models import Case
from wangge.meetings.choices import MeetingStatus
from wangge.meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 800, "height": 1200, "has_touch": True}


def test_build_agenda_hold_meeting_and_publish_minutes(world, ledger_case, page_factory, screenshot, live_server):
    client = Client()
    client.force_login(world.users["secretary_a"])
    page, watch = page_factory(**TABLET)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])

    page.goto("/meetings/")
    form = page.get_by_test_id("new-meeting")
    form.locator("select[name=kind]").select_option("bimonthly")
    form.locator("select[name=level]").select_option("community")
    form.locator("select[name=region]").select_option(str(world.communities[0].pk))
    at = timezone.localtime() + dt.timedelta(hours=2)
    form.locator("input[name=scheduled_at]").fill(at.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=place]").fill("东园社区会议室")
    page.get_by_test_id("create-meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))

    # The agenda builder: the ledger beside the agenda.
    expect(page.get_by_test_id("ledger-row")).to_have_count(1)
    page.get_by_test_id(f"add-case-{ledger_case.number}").click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(1)
    # The department the problem involves is invited to the table (a 双月协商会 is not held without one).
    page.get_by_test_id("invite").locator("summary").click()
    page.get_by_test_id("invite").locator("select[name=department]").select_option(
        str(world.departments["chengguan"].pk))
    page.get_by_test_id("add-participant").click()
    expect(page.get_by_test_id("participants")).to_contain_text(str(world.departments["chengguan"]))
    page.get_by_test_id("publish-agenda").click()

    # The meeting day, on a tablet.
    expect(page).to_have_url(re.compile(r"/day/$"))
    decide = page.get_by_test_id("decide-form")
    decide.locator("select[name$=decision]").select_option("plan")
    decide.locator("textarea[name$=outcome]").fill("城管执法局牵头，每晚十点后巡查夜市")
    decide.locator("details summary").click()
    decide.locator("select[name$=lead_department]").select_option(str(world.departments["chengguan"].pk))
    decide.locator("input[name$=deadline]").fill((timezone.localdate() + dt.timedelta(days=10)).isoformat())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "meeting_day_tablet")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("item-decision")).to_contain_text("城管执法局牵头")
    page.get_by_test_id("close-meeting").click()

    # The minutes: draft, then signed off.
    expect(page).to_have_url(re.compile(r"/minutes/$"))
    expect(page.get_by_test_id("minutes-item")).to_have_count(1)
    page.get_by_test_id("publish-minutes").click()
    expect(page.get_by_test_id("signed")).to_be_visible()
    expect(page.get_by_test_id("minutes-decision")).to_have_text("议定方案")

    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.MINUTES_PUBLISHED
    assert Case.objects.get(pk=ledger_case.pk).lead_department == world.departments["chengguan"]
    watch.check()
