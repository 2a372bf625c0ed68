"""The SMS confirming an erasure is queued after it on purpose (it still reaches the resident), but
its outbox row no longer keeps their number once it is sent: the one place it survived."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.notifications import outbox
from wangge.notifications.gateways import FileGateway
from wangge.notifications.models import OutboundMessage
from wangge.residents import personal_data
from wangge.residents.choices import DataRequestKind, DataRequestStatus
from wangge.residents.models import Resident
from wangge.testing import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(world, settings, tmp_path):
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
    settings.WANGGE_OUTBOX_DIR = str(tmp_path / "outbox")
    case = case_in_state(world, CaseStatus.SUBMITTED)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    return Resident.objects.get(pk=case.reporter_id)


def answer(resident, kind):
    request = personal_data.create_data_request(resident=resident, kind=kind, details="请处理")
    personal_data.answer_data_request(data_request=request, actor=None, outcome=DataRequestStatus.DONE)
    outbox.deliver_due_messages()
    return OutboundMessage.objects.get(subject_id=request.pk, template=personal_data.ANSWER_TEMPLATE)


def test_the_erasure_confirmation_reaches_the_resident_and_then_forgets_the_number(reporter):
    phone = reporter.phone
    sms = answer(reporter, DataRequestKind.DELETE)
    assert [line["to"] for line in FileGateway.read("sms", settings.WANGGE_OUTBOX_DIR)] == [phone]
    assert sms.status == "sent" and sms.to == phone[:3] + "****" + phone[-4:]
    assert not OutboundMessage.objects.filter(to=phone).exists()


def test_a_correction_answer_keeps_its_recipient(reporter):
    assert answer(reporter, DataRequestKind.CORRECT).to == reporter.phone
