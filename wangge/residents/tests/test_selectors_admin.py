import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from wangge.org.choices import Role
from wangge.residents.models import Resident, ResidentAccessLog
from wangge.residents.selectors import resident_summary, residents_visible_to
from wangge.residents.services import resident_for_report, resident_for_wechat

try:
    from wangge.testing import build_world, make_user
except ImportError:  # before the factories moved
    from wangge.core.testing import build_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    return resident_for_report(name="张三丰", phone="13812341234", anonymous=False)


def test_summary_is_masked(resident):
    summary = resident_summary(resident)
    assert summary["name"] == "张**" and summary["phone"] == "138****1234"
    assert "13812341234" not in str(summary) and "张三丰" not in str(summary)
    assert summary["phone_verified"] is False and summary["anonymised"] is False


def test_only_staff_with_the_personal_data_right_list_residents(resident):
    world = build_world()
    merged_row = Resident.objects.create(merged_into=resident)
    clerk = make_user(Role.INTAKE_CLERK, region=world.subdistrict)
    grid_worker = make_user(Role.GRID_WORKER, region=world.grids[0])
    assert list(residents_visible_to(clerk)) == [resident]  # the merged placeholder is not listed
    assert merged_row.pk
    assert not residents_visible_to(grid_worker).exists()
    granted = make_user(username="auditor")
    granted.user_permissions.add(Permission.objects.get(codename="view_reporter"))
    assert residents_visible_to(type(granted).objects.get(pk=granted.pk)).count() == 1


@pytest.fixture
def admin_client(client, db):
    superuser = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    return client


def test_admin_shows_only_masked_data(admin_client, resident):
    resident_for_wechat(app_id="wx", openid="o-1")
    page = admin_client.get(reverse("admin:residents_resident_changelist")).content.decode()
    assert "138****1234" in page and "张**" in page
    assert "13812341234" not in page and "张三丰" not in page
    page = admin_client.get(reverse("admin:residents_resident_change", args=[resident.pk])).content.decode()
    assert "138****1234" in page
    assert "13812341234" not in page and "张三丰" not in page
    assert not ResidentAccessLog.objects.exists()


def test_admin_search_is_by_id_only(admin_client, resident):
    url = reverse("admin:residents_resident_changelist")
    by_phone = admin_client.get(url, {"q": "13812341234"}).context["cl"].result_list
    assert list(by_phone) == []
    by_name = admin_client.get(url, {"q": "张三丰"}).context["cl"].result_list
    assert list(by_name) == []
    by_id = admin_client.get(url, {"q": str(resident.pk)}).context["cl"].result_list
    assert list(by_id) == [resident]


def test_admin_cannot_add_or_delete_residents(admin_client, resident):
    assert admin_client.get(reverse("admin:residents_resident_add")).status_code == 403
    assert admin_client.get(reverse("admin:residents_resident_delete", args=[resident.pk])).status_code == 403


def test_admin_anonymise_action_calls_the_service(admin_client, resident, open_business_check):
    other = resident_for_report(name="李四", phone="13900001111", anonymous=False)
    open_business_check(lambda r: "has open cases" if r.pk == other.pk else None)
    response = admin_client.post(reverse("admin:residents_resident_changelist"), {
        "action": "anonymise", "_selected_action": [resident.pk, other.pk],
    }, follow=True)
    assert response.status_code == 200
    resident.refresh_from_db()
    other.refresh_from_db()
    assert resident.anonymised_at is not None and resident.phone == ""
    assert resident.anonymised_by.username == "root"
    assert other.anonymised_at is None and other.phone == "13900001111"
    texts = [str(m) for m in response.context["messages"]]
    assert any("has open cases" in t for t in texts), texts


def test_anonymise_action_needs_its_permission(client, resident):
    viewer = make_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_resident"))
    client.force_login(viewer)
    response = client.get(reverse("admin:residents_resident_changelist"))
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no action at all: not even "delete"
    viewer.user_permissions.add(Permission.objects.get(codename="anonymise_resident"))
    response = client.get(reverse("admin:residents_resident_changelist"))
    assert "anonymise" in str(response.context["action_form"].fields["action"].choices)


def test_access_log_admin_is_read_only(admin_client, resident):
    assert admin_client.get(reverse("admin:residents_residentaccesslog_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:residents_residentaccesslog_add")).status_code == 403
    assert admin_client.get(reverse("admin:residents_household_changelist")).status_code == 200


def test_admin_does_not_show_the_household_address(admin_client, resident):
    from wangge.residents.models import Household

    household = Household.objects.create(room="3单元201室")
    Resident.objects.filter(pk=resident.pk).update(household=household)
    for url in (reverse("admin:residents_resident_changelist"),
                reverse("admin:residents_resident_change", args=[resident.pk])):
        page = admin_client.get(url).content.decode()
        assert f"#{household.pk}" in page and "3单元201室" not in page
