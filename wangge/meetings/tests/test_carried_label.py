"""An item carried over from an earlier meeting is labelled with that meeting's date: a bare
"顺延" beside the item's own decision ("顺延 议定方案") read as if it were deferred again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wangge.meetings import actions
from wangge.meetings.choices import Decision, MeetingKind, MeetingLevel

from .conftest import open_meeting, when
from .test_decisions_follow_up import secretary  # noqa: F401 (fixture)
from .test_forms_and_messages import page

pytestmark = pytest.mark.django_db


def test_a_carried_item_names_the_meeting_it_came_from(world, bimonthly, ledger_case, secretary, client):  # noqa: F811
    following = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY,
                                       region=world.communities[0], scheduled_at=when(30))
    open_meeting(bimonthly, secretary, ledger_case)
    actions.decide_item(item=bimonthly.items.get(), actor=secretary, decision=Decision.DEFERRED)
    assert following.items.count() == 1

    root = page(client.get(f"/meetings/{following.pk}/"))
    earlier = timezone.localtime(bimonthly.scheduled_at).strftime("%Y-%m-%d")
    assert root.find("span", data_testid="carried-from").all_text().strip() == f"由{earlier}会议顺延"
