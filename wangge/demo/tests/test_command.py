"""``manage.py load_demo`` as ``make demo`` runs it: its output reads like a success."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from wangge.cases.models import Case
from wangge.org import geo

pytestmark = pytest.mark.django_db


def test_the_command_prints_progress_and_a_clean_summary(monkeypatch):
    """What ``make demo`` shows: progress by simulated time and month, then the summary — and
    nothing that reads like a failure."""
    monkeypatch.setattr("wangge.demo.loader.load_app_demos", lambda **kwargs: {})
    out = StringIO()
    geo.invalidate()
    call_command("load_demo", "--cases", "40", "--days", "4", "--months", "2", stdout=out)
    geo.invalidate()
    text = out.getvalue()
    lines = text.splitlines()
    assert len([line for line in lines if line.startswith("  …") or line.startswith("  ……")]) >= 3, text
    assert Case.objects.count() > 40
    for word in ("rror", "stopped", "提前结束", "Traceback", "CaseNotFound", "Forbidden", "refused"):
        assert word not in text, text
