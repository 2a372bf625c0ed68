"""The quarterly scores page asked for a quarter that is not one (``?quarter=7``, ``?year=abc``):
it says so in words and shows the last quarter — never a blank preview of “Q7”, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from wangge.neighbourhood.views import _last_quarter


@pytest.mark.parametrize("query", ["quarter=7", "quarter=0", "quarter=-1", "quarter=abc", "year=abc",
                                   "year=99999999999", "year=1800&quarter=2", "quarter=%EF%BC%97"])
def test_a_quarter_that_is_not_one_is_said_and_the_last_quarter_shown(client, hood, query):
    client.force_login(hood.leader)
    response = client.get(reverse("neighbourhood:ratings") + "?" + query)
    page = response.content.decode()
    assert response.status_code == 200
    year, quarter = _last_quarter(timezone.now())
    assert "没有“" in page and "现显示上一季度" in page
    assert f'name="year" value="{year}"' in page and f'<option value="{quarter}" selected>' in page


def test_a_bad_minimum_is_said_and_three_used(client, hood):
    client.force_login(hood.leader)
    page = client.get(reverse("neighbourhood:ratings") + "?min_ratings=x").content.decode()
    assert "最少评价数应为 1 到 1000 的整数" in page and 'name="min_ratings" value="3"' in page


def test_a_right_quarter_is_shown_without_a_warning(client, hood):
    client.force_login(hood.leader)
    page = client.get(reverse("neighbourhood:ratings") + "?year=2025&quarter=3").content.decode()
    assert "没有“" not in page and '<option value="3" selected>' in page
