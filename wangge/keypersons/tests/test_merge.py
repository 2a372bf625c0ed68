"""A key person whose resident turns out to be the same person as another stays on the register,
under the resident kept (residents_merged)."""

from __future__ import annotations

import pytest

from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Resident
from wangge.residents.services import link_phone

pytestmark = pytest.mark.django_db


def test_the_register_follows_a_merged_resident(register):
    person = register(phone="13812345678")
    kept = Resident.objects.create(name="张秀英", phone="13900005555")

    link_phone(resident=person.resident, phone=kept.phone, verified=True)  # proved by SMS: one person

    assert KeyPerson.objects.get(pk=person.pk).resident_id == kept.pk
    assert Resident.objects.get(pk=person.resident_id).merged_into_id == kept.pk
