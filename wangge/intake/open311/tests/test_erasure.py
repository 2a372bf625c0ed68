"""What an Open311 client sent with a report beyond the case — its answers to the service's
questions, the resident's device and account ids in the client app — is theirs too: when the
resident is erased (PIPL), the ids go and their number and name go from the answers."""

from __future__ import annotations

import json

import pytest

from wangge.cases import actions as case_actions
from wangge.cases.models import Case
from wangge.intake.open311.models import Open311Request
from wangge.residents.services import anonymise_resident

from .test_open311 import file

pytestmark = pytest.mark.django_db


def test_the_client_apps_ids_and_answers_lose_the_erased_resident(api, report, world):
    created = file(api, report)
    case = Case.objects.get(number=created["service_request_id"])
    Open311Request.objects.filter(case=case).update(attributes={"where": "张三家门口，电话139-1234-5678", "floor": "1"})
    case_actions.reject_case(case=case, actor=world.users["clerk"], reason="已由物业处理")

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    received = Open311Request.objects.get(case=case)
    assert (received.device_id, received.account_id) == ("", "")
    kept = json.dumps(received.attributes, ensure_ascii=False)
    assert "1234-5678" not in kept and "张三" not in kept and '"floor": "1"' in kept
    assert api.get(f"requests/{case.number}.json").json()[0].get("account_id") is None
