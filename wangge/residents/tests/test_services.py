import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.core.errors import DomainError, Forbidden, InvalidInput
from wangge.residents import services
from wangge.residents.errors import (
    InvalidPhone,
    OpenBusiness,
    PhoneTaken,
    ResidentDataForbidden,
    ResidentGone,
)
from wangge.residents.models import (
    Household,
    Resident,
    ResidentAccessLog,
    WechatIdentity,
)
from wangge.residents.signals import resident_anonymised, residents_merged

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """The residents signals sent during the test, as (name, kwargs)."""
    got = []

    def on_merged(sender, kept, merged, **kwargs):
        got.append(("merged", {"kept": kept.pk, "merged": merged.pk, "in_transaction": not transaction.get_autocommit()}))

    def on_anonymised(sender, resident, **kwargs):
        got.append(("anonymised", {"resident": resident.pk, "in_transaction": not transaction.get_autocommit()}))

    residents_merged.connect(on_merged, dispatch_uid="test-merged")
    resident_anonymised.connect(on_anonymised, dispatch_uid="test-anonymised")
    yield got
    residents_merged.disconnect(dispatch_uid="test-merged")
    resident_anonymised.disconnect(dispatch_uid="test-anonymised")


# --- resident_for_report ------------------------------------------------------------------------


def test_report_without_phone_or_anonymous_has_no_resident():
    assert services.resident_for_report(name="张三", phone="", anonymous=False) is None
    assert services.resident_for_report(name="张三", phone="13812341234", anonymous=True) is None
    assert services.resident_for_report(name="张三", phone="不详", anonymous=False) is None
    assert not Resident.objects.exists()


def test_same_phone_in_any_format_is_one_resident_not_verified():
    first = services.resident_for_report(name="张三", phone="138 1234 1234", anonymous=False)
    again = services.resident_for_report(name="张叁", phone="+86 138-1234-1234", anonymous=False)
    assert first.pk == again.pk
    first.refresh_from_db()
    assert first.phone == "13812341234"
    assert first.name == "张三"  # a later spelling never overwrites
    assert first.phone_verified_at is None  # typed by a clerk: proves nothing
    assert Resident.objects.count() == 1


def test_report_fills_in_a_missing_name_and_moves_last_seen():
    resident = Resident.objects.create(phone="13812341234", last_seen_at=timezone.now() - dt.timedelta(days=9))
    found = services.resident_for_report(name=" 李四 ", phone="13812341234", anonymous=False)
    assert found.pk == resident.pk and found.name == "李四"
    resident.refresh_from_db()
    assert resident.name == "李四"
    assert timezone.now() - resident.last_seen_at < dt.timedelta(minutes=1)


def test_report_after_erasure_makes_a_new_resident():
    old = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    services.anonymise_resident(resident=old, reason="test")
    new = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    assert new.pk != old.pk


def test_activity_moves_last_seen_forward_only():
    resident = Resident.objects.create(phone="13812341234")
    week_ago = timezone.now() - dt.timedelta(days=7)
    services.note_resident_activity(resident=resident, at=week_ago)
    resident.refresh_from_db()
    assert resident.last_seen_at > week_ago
    later = timezone.now() + dt.timedelta(hours=1)
    services.note_resident_activity(resident=resident, at=later)
    resident.refresh_from_db()
    assert resident.last_seen_at == later


def test_phone_is_unique_in_the_database():
    Resident.objects.create(phone="13812341234")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.create(phone="13812341234")
    Resident.objects.create(phone="")
    Resident.objects.create(phone="")  # many residents without a phone (WeChat only)


# --- resident_for_wechat ------------------------------------------------------------------------


def test_wechat_get_or_create_by_openid_per_official_account():
    a = services.resident_for_wechat(app_id="wx-a", openid="o-1")
    assert services.resident_for_wechat(app_id="wx-a", openid="o-1").pk == a.pk
    other_account = services.resident_for_wechat(app_id="wx-b", openid="o-1")
    assert other_account.pk != a.pk
    assert a.phone == "" and a.name == ""
    assert WechatIdentity.objects.filter(resident=a).count() == 1
    with pytest.raises(InvalidInput):
        services.resident_for_wechat(app_id="wx-a", openid=" ")


# --- link_phone and the merge -------------------------------------------------------------------


def test_link_a_new_phone_verified_or_not():
    resident = services.resident_for_wechat(app_id="wx", openid="o-1")
    services.link_phone(resident=resident, phone="139 0000 1111", verified=False)
    resident.refresh_from_db()
    assert resident.phone == "13900001111" and resident.phone_verified_at is None
    returned = services.link_phone(resident=resident, phone="13900001111", verified=True)
    assert returned.pk == resident.pk and returned.phone_verified_at is not None
    with pytest.raises(InvalidPhone):
        services.link_phone(resident=resident, phone="12345", verified=True)


def test_unverified_phone_of_another_resident_is_refused(received):
    owner = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    wechat = services.resident_for_wechat(app_id="wx", openid="o-1")
    with pytest.raises(PhoneTaken):
        services.link_phone(resident=wechat, phone="13812341234", verified=False)
    assert not received
    assert WechatIdentity.objects.get().resident_id == wechat.pk
    owner.refresh_from_db()
    assert owner.merged_into_id is None


def test_verified_phone_of_another_resident_merges_into_the_owner(received):
    household = Household.objects.create(room="3-201")
    owner = services.resident_for_report(name="", phone="13812341234", anonymous=False)
    wechat = services.resident_for_wechat(app_id="wx", openid="o-1")
    Resident.objects.filter(pk=wechat.pk).update(name="张三", household=household)
    wechat.refresh_from_db()
    staff_user = _user()
    services.reveal_resident(resident=wechat, actor=staff_user, purpose="test", allowed=True)

    kept = services.link_phone(resident=wechat, phone="138-1234-1234", verified=True)

    assert kept.pk == owner.pk
    assert received == [("merged", {"kept": owner.pk, "merged": wechat.pk, "in_transaction": True})]
    owner.refresh_from_db()
    assert owner.phone == "13812341234" and owner.phone_verified_at is not None
    assert owner.name == "张三" and owner.household_id == household.pk  # filled from the merged row
    assert list(WechatIdentity.objects.values_list("resident_id", flat=True)) == [owner.pk]
    assert ResidentAccessLog.objects.get().resident_id == owner.pk
    wechat.refresh_from_db()
    assert wechat.merged_into_id == owner.pk
    assert (wechat.name, wechat.phone, wechat.household_id) == ("", "", None)
    # The OpenID now leads to the person kept; the merged row can no longer be changed.
    assert services.resident_for_wechat(app_id="wx", openid="o-1").pk == owner.pk
    with pytest.raises(ResidentGone):
        services.link_phone(resident=wechat, phone="13900001111", verified=True)


def test_a_receiver_that_fails_rolls_the_merge_back():
    owner = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    wechat = services.resident_for_wechat(app_id="wx", openid="o-1")

    def broken(sender, **kwargs):
        raise RuntimeError("receiver failed")

    residents_merged.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            services.link_phone(resident=wechat, phone="13812341234", verified=True)
    finally:
        residents_merged.disconnect(dispatch_uid="test-broken")
    assert WechatIdentity.objects.get().resident_id == wechat.pk
    assert Resident.objects.get(pk=wechat.pk).merged_into_id is None
    assert Resident.objects.get(pk=owner.pk).phone_verified_at is None


# --- reveal_resident ----------------------------------------------------------------------------


def _user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=f"u{get_user_model().objects.count()}", password="pw")


def test_reveal_granted_returns_the_data_and_logs_it():
    resident = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    user = _user()
    data = services.reveal_resident(resident=resident, actor=user, purpose="case WG1", allowed=True,
                                    ip_address="10.0.0.8")
    assert data == {"id": resident.pk, "name": "张三", "phone": "13812341234", "phone_verified": False}
    log = ResidentAccessLog.objects.get()
    assert (log.user_id, log.resident_id, log.purpose, log.granted, log.ip_address) == (
        user.pk, resident.pk, "case WG1", True, "10.0.0.8")


def test_reveal_refused_raises_and_still_logs():
    resident = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    user = _user()
    with pytest.raises(ResidentDataForbidden) as caught:
        services.reveal_resident(resident=resident, actor=user, purpose="curious", allowed=False)
    assert isinstance(caught.value, Forbidden) and isinstance(caught.value, DomainError)
    assert caught.value.status_code == 403
    log = ResidentAccessLog.objects.get()
    assert (log.user_id, log.granted, log.purpose) == (user.pk, False, "curious")


# --- anonymise_resident -------------------------------------------------------------------------


def test_anonymise_erases_personal_data_and_keeps_the_row(received):
    household = Household.objects.create(room="3-201")
    resident = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    services.link_phone(resident=resident, phone="13812341234", verified=True)
    WechatIdentity.objects.create(resident=resident, app_id="wx", openid="o-1")
    Resident.objects.filter(pk=resident.pk).update(household=household)
    user = _user()

    services.anonymise_resident(resident=resident, actor=user, reason="resident asked (PIPL art. 47)")

    row = Resident.objects.get(pk=resident.pk)
    assert (row.name, row.phone, row.phone_verified_at, row.household_id) == ("", "", None, None)
    assert row.anonymised_at is not None and row.anonymised_by_id == user.pk
    assert row.anonymised_reason == "resident asked (PIPL art. 47)"
    assert resident.anonymised_at == row.anonymised_at and resident.name == ""  # the caller's object too
    assert not WechatIdentity.objects.exists()
    assert Household.objects.filter(pk=household.pk).exists()
    assert received == [("anonymised", {"resident": resident.pk, "in_transaction": True})]
    with pytest.raises(ResidentGone):
        services.anonymise_resident(resident=resident, reason="again")


def test_anonymise_refused_while_an_app_reports_open_business(open_business_check, received):
    resident = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    open_business_check(lambda r: "has open cases" if r.pk == resident.pk else None)
    open_business_check(lambda r: None)

    with pytest.raises(OpenBusiness) as caught:
        services.anonymise_resident(resident=resident, reason="retention")
    assert caught.value.reasons == ["has open cases"]
    assert "has open cases" in str(caught.value.message)
    resident.refresh_from_db()
    assert resident.name == "张三" and resident.anonymised_at is None
    assert not received


def test_database_refuses_an_anonymised_row_with_data():
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.create(name="张三", anonymised_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.create(phone_verified_at=timezone.now())
