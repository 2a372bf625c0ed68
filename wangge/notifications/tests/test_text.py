"""A staff member's answer or reason, shortened for a resident's notice (SMS: 40 characters,
WeChat: 60): never longer than the limit, never "，…" or "。…", never "。。" before the notice's
own full stop."""

from __future__ import annotations

import pytest

from wangge.notifications.text import shorten

LIMIT = 40


@pytest.mark.parametrize("length", [LIMIT - 1, LIMIT])
def test_a_text_within_the_limit_is_kept_whole(length):
    text = "甲" * length
    assert shorten(text, limit=LIMIT) == text


@pytest.mark.parametrize("length", [LIMIT - 1, LIMIT])
def test_its_final_punctuation_goes_the_notice_puts_its_own(length):
    text = "甲" * (length - 1) + "。"
    assert shorten(text, limit=LIMIT) == "甲" * (length - 1)


def test_one_over_the_limit_is_cut_with_the_ellipsis_counted():
    shown = shorten("甲" * (LIMIT + 1), limit=LIMIT)
    assert shown == "甲" * (LIMIT - 1) + "…" and len(shown) == LIMIT


def test_one_over_only_by_its_final_full_stop_is_kept_whole():
    """The full stop is what made it too long, and it goes anyway."""
    assert shorten("甲" * LIMIT + "。", limit=LIMIT) == "甲" * LIMIT


@pytest.mark.parametrize("mark", ["，", "。", "、", "；", ",", " "])
def test_a_cut_just_after_punctuation_never_leaves_it_before_the_ellipsis(mark):
    text = "甲" * (LIMIT - 2) + mark + "乙" * 10  # the cut (LIMIT - 1 characters and …) ends at the mark
    shown = shorten(text, limit=LIMIT)
    assert shown == "甲" * (LIMIT - 2) + "…"


def test_a_cut_after_several_marks_drops_them_all():
    assert shorten("甲" * (LIMIT - 3) + "。，" + "乙" * 10, limit=LIMIT) == "甲" * (LIMIT - 3) + "…"


def test_line_breaks_and_runs_of_spaces_become_one_space():
    assert shorten("  已处理\n\n请查看   现场。 ", limit=LIMIT) == "已处理 请查看 现场"


@pytest.mark.parametrize("empty", [None, "", "  \n", "。"])
def test_nothing_to_say_is_empty(empty):
    assert shorten(empty, limit=LIMIT) == ""


@pytest.mark.parametrize("limit", [40, 60])
def test_never_longer_than_the_limit_and_never_punctuation_before_the_ellipsis(limit):
    text = "经现场核查，" + "已协调城管、环卫、物业等多个部门联合处置，" * 6 + "问题已解决。"
    for end in range(len(text) + 1):
        shown = shorten(text[:end], limit=limit)
        assert len(shown) <= limit
        assert not shown.endswith(("，…", "。…", "、…", "，", "。"))
