"""PIPL erasure reaches the anonymous reports too: a report made anonymously keeps the number it
came from (for the callback) but is linked to no resident. When the resident with that number is
erased, the number goes from those cases as well — and while one of them is still being handled,
the erasure waits, as it does for their named cases."""

from __future__ import annotations

import pytest

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.residents.errors import OpenBusiness
from wangge.residents.services import anonymise_resident
from wangge.testing import case_in_state

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


def test_erasing_a_resident_blanks_the_number_on_their_anonymous_reports(world):
    named = case_in_state(world, CaseStatus.CLOSED, reporter_phone=PHONE)
    anonymous = case_in_state(world, CaseStatus.CLOSED, reporter_phone=PHONE, reporter_anonymous=True)
    other = case_in_state(world, CaseStatus.CLOSED, reporter_phone="13900001111", reporter_anonymous=True)
    assert anonymous.reporter is None and anonymous.reporter_phone == PHONE

    anonymise_resident(resident=named.reporter, reason="居民申请删除")

    assert not Case.objects.filter(reporter_phone=PHONE).exists()
    assert Case.objects.filter(pk__in=[named.pk, anonymous.pk], status=CaseStatus.CLOSED).count() == 2
    assert Case.objects.get(pk=other.pk).reporter_phone == "13900001111"  # someone else's number stays


def test_an_anonymous_report_still_being_handled_holds_the_erasure(world):
    named = case_in_state(world, CaseStatus.CLOSED, reporter_phone=PHONE)
    handled = case_in_state(world, CaseStatus.IN_PROGRESS, reporter_phone=PHONE, reporter_anonymous=True)
    with pytest.raises(OpenBusiness):
        anonymise_resident(resident=named.reporter, reason="居民申请删除")
    assert Case.objects.get(pk=handled.pk).reporter_phone == PHONE
    assert Case.objects.get(pk=named.pk).reporter_phone == PHONE  # nothing half-erased
