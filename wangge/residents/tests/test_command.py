import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from wangge.residents.models import Resident, WechatIdentity

pytestmark = pytest.mark.django_db


def _resident(phone: str, *, days_ago: int, name: str = "张三") -> Resident:
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Resident.objects.create(name=name, phone=phone, created_at=at, last_seen_at=at)


@pytest.fixture
def residents(open_business_check):
    old = _resident("13800000001", days_ago=1200)
    WechatIdentity.objects.create(resident=old, app_id="wx", openid="o-old")
    recent = _resident("13800000002", days_ago=30)
    busy = _resident("13800000003", days_ago=1500)
    # Created long ago, but seen last week: the newest activity counts.
    seen = Resident.objects.create(name="王五", phone="13800000004",
                                   created_at=timezone.now() - dt.timedelta(days=2000))
    open_business_check(lambda r: "has open cases" if r.pk == busy.pk else None)
    return {"old": old, "recent": recent, "busy": busy, "seen": seen}


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("anonymise_residents", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_changes_nothing(residents):
    output = run("--dry-run")
    assert "Dry run: 1 resident not seen for 1095 days would be anonymised." in output
    assert "1 resident kept: still has open business." in output
    assert Resident.objects.filter(anonymised_at__isnull=False).count() == 0
    assert Resident.objects.get(pk=residents["old"].pk).phone == "13800000001"
    assert WechatIdentity.objects.count() == 1


def test_run_anonymises_only_the_old_inactive_resident_without_business(residents):
    output = run()
    assert "1 resident not seen for 1095 days anonymised." in output
    assert "1 resident kept" in output
    old = Resident.objects.get(pk=residents["old"].pk)
    assert old.anonymised_at is not None and (old.name, old.phone) == ("", "")
    assert "1095" in old.anonymised_reason and old.anonymised_by is None
    assert not WechatIdentity.objects.exists()
    for key in ("recent", "busy", "seen"):
        row = Resident.objects.get(pk=residents[key].pk)
        assert row.anonymised_at is None and row.phone, key
    assert "0 residents not seen for 1095 days anonymised." in run()  # a second run: nothing left


def test_inactive_days_option_and_setting(residents, settings):
    assert "2 residents not seen for 20 days anonymised." in run("--inactive-days", "20")  # old + recent
    settings.WANGGE_RESIDENT_RETENTION_DAYS = 1
    assert "not seen for 1 days would be anonymised" in run("--dry-run")
    with pytest.raises(CommandError):
        run("--inactive-days", "0")


def test_output_speaks_chinese_by_default(residents):
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("anonymise_residents", "--dry-run", stdout=out)
    assert "居民" in out.getvalue()
