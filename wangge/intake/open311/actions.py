"""The Open311 interface's writes: issuing and revoking client keys, filing a request.

A case is filed only through ``wangge.cases.actions.create_case`` (idempotent on the client's
token), and what the client sent beyond the case is kept on an ``Open311Request`` in the same
transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import actions as case_actions
from wangge.cases.models import Case, Category
from wangge.core.actors import Actor
from wangge.org.models import Region

from .apps import CHANNEL, RECEIVED_EVENT
from .models import Open311Client, Open311Request

KEY_PREFIX = "o311_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_key(*, client: Open311Client) -> str:
    """发放密钥 — a new API key for ``client`` (any earlier key stops working). Returned once; only
    its hash is stored."""
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client.key_hash, client.key_prefix = hash_key(key), key[:12]
    client.key_issued_at, client.is_active, client.revoked_at = timezone.now(), True, None
    client.save(update_fields=["key_hash", "key_prefix", "key_issued_at", "is_active", "revoked_at"])
    return key


@transaction.atomic
def revoke_client(*, client: Open311Client) -> Open311Client:
    """吊销 — the client's key stops working at once; its filed requests stay."""
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if client.is_active:
        client.is_active, client.revoked_at = False, timezone.now()
        client.save(update_fields=["is_active", "revoked_at"])
    return client


@dataclass
class Report:
    """A POST Service Request, its parameters checked (see ``params.parse_report``)."""

    category: Category
    description: str
    token: str
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    region: Region | None = None
    media_url: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    device_id: str = ""
    account_id: str = ""
    attributes: dict = field(default_factory=dict)
    attribute_labels: dict = field(default_factory=dict)


def actor_for(client: Open311Client) -> Actor:
    return Actor.of_integration(f"open311:{client.pk}")


def source_for(client: Open311Client) -> str:
    return f"open311:{client.pk}"


@transaction.atomic
def submit_request(*, client: Open311Client, report: Report) -> tuple[Case, Open311Request]:
    """提交诉求 — file ``report`` for ``client``. A retry with the same token (also concurrent)
    returns the case filed the first time (``case.replayed``) and files nothing."""
    actor = actor_for(client)
    case = case_actions.create_case(
        actor=actor,
        channel=CHANNEL,
        description=report.description,
        category=report.category,
        longitude=report.longitude,
        latitude=report.latitude,
        region=report.region,
        address=report.address,
        reporter_name=report.reporter_name,
        reporter_phone=report.reporter_phone,
        source=source_for(client),
        external_id=report.token,
    )
    if case.replayed:
        return case, Open311Request.objects.get(case=case)
    received = Open311Request.objects.create(
        case=case, client=client, token=report.token, media_url=report.media_url,
        device_id=report.device_id, account_id=report.account_id, attributes=report.attributes,
    )
    lines = []
    if report.media_url:
        lines.append(_("Media link (not downloaded): %(url)s") % {"url": report.media_url})
    for code, value in report.attributes.items():
        shown = "、".join(value) if isinstance(value, list) else value
        lines.append(f"{report.attribute_labels.get(code, code)}：{shown}")
    if lines:
        # Staff see what came with the report on the case's timeline (not on the public one).
        case_actions.record_on_timeline(
            case=case, type=RECEIVED_EVENT, actor=actor, note="\n".join(lines), related=received,
            data={"media_url": report.media_url, "attributes": report.attributes}, public=False,
        )
    return case, received
