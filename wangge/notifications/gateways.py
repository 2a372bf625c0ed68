"""Gateways (发送网关): how an outbound message actually leaves — one class per provider.

Chosen per channel by a settings entry; a real SMS provider is one line there::

    WANGGE_OUTBOX_GATEWAYS = {
        "sms": {"BACKEND": "myoffice.gateways.AliyunSms", "OPTIONS": {"sign_name": "某某街道"}},
        "email": "wangge.notifications.gateways.DjangoEmailGateway",
        "*": "wangge.notifications.gateways.ConsoleGateway",   # every other channel
    }

The contract a gateway keeps: ``send`` returns the provider's message id once the provider has
accepted the message, raises ``GatewayError`` (tried again later) or ``PermanentGatewayError``
(no use trying again: a dead letter at once), and treats ``message.idempotency_key`` as the
client-side id of the message (Aliyun ``OutId``, Tencent ``SessionContext``…): a message sent a
second time with the same key — after a worker died between the provider's answer and the
outbox's "sent" — must not reach the resident twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("wangge.outbox")

DEFAULT_GATEWAY = "wangge.notifications.gateways.ConsoleGateway"


class GatewayError(Exception):
    """The provider did not take the message this time; the outbox tries again later."""


class PermanentGatewayError(GatewayError):
    """The provider will never take this message (bad number, unsubscribed): a dead letter now."""


@dataclass(frozen=True)
class Envelope:
    """What a gateway is given: the rendered message and its idempotency key."""

    channel: str
    to: str
    body: str
    idempotency_key: str
    title: str = ""
    template: str = ""
    context: dict = field(default_factory=dict)


class Gateway:
    """Base class. Subclasses implement ``send``; ``options`` come from the settings entry."""

    def __init__(self, *, channel: str, **options):
        self.channel = channel
        self.options = options

    def send(self, message: Envelope) -> str:
        raise NotImplementedError

    @staticmethod
    def message_id(message: Envelope) -> str:
        """A stable id derived from the idempotency key (for gateways with none of their own)."""
        return hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]


class ConsoleGateway(Gateway):
    """Writes each message to the log (development and the demo). Remembers nothing."""

    def send(self, message: Envelope) -> str:
        # Logs are read by operators: the resident's number is masked here (138****1234), as
        # everywhere else; the outbox row keeps it for delivery.
        to = _masked(message.to)
        log.info("outbox %s → %s [%s]: %s%s", message.channel, to, message.idempotency_key.replace(message.to, to),
                 f"{message.title} / " if message.title else "", message.body)
        return f"console-{self.message_id(message)}"


def _masked(address: str) -> str:
    if "@" in address:  # an e-mail address: the first letter and the domain
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:3] + "*" * max(0, len(address) - 7) + address[-4:] if len(address) > 7 else "*" * len(address)


class FileGateway(Gateway):
    """Appends one JSON line per message to ``<WANGGE_OUTBOX_DIR>/<channel>.jsonl`` (the demo and
    the tests read them back). Like a real provider it dedupes on the idempotency key: a key it
    has already written is answered with the first message's id and not written again. The file
    is locked while it is read and appended to, so several workers may share it."""

    def path(self) -> Path:
        directory = Path(self.options.get("directory") or settings.WANGGE_OUTBOX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        return directory / f"{self.channel}.jsonl"

    def send(self, message: Envelope) -> str:
        with open(self.path(), "a+", encoding="utf-8") as handle:
            _lock(handle)
            try:
                handle.seek(0)
                for line in handle:
                    try:
                        earlier = json.loads(line)
                    except ValueError:
                        continue  # a line torn by a crash mid-write is not a delivery
                    if earlier.get("key") == message.idempotency_key:
                        return earlier["id"]
                record = {
                    "id": f"file-{self.message_id(message)}",
                    "key": message.idempotency_key,
                    "channel": message.channel,
                    "to": message.to,
                    "template": message.template,
                    "title": message.title,
                    "body": message.body,
                    "at": dt.datetime.now(dt.UTC).isoformat(),
                }
                handle.seek(0, 2)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                return record["id"]
            finally:
                _unlock(handle)

    @staticmethod
    def read(channel: str, directory: str | Path | None = None) -> list[dict]:
        """The messages written for ``channel`` (for tests and the demo)."""
        path = Path(directory or settings.WANGGE_OUTBOX_DIR) / f"{channel}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class DjangoEmailGateway(Gateway):
    """E-mail through Django's configured ``EMAIL_BACKEND``. SMTP has no idempotency key; the
    message's ``Message-ID`` is derived from it, so mail clients fold a re-sent copy into one."""

    def send(self, message: Envelope) -> str:
        from django.core.mail import EmailMessage

        domain = self.options.get("domain", "wangge.local")
        message_id = f"<{self.message_id(message)}@{domain}>"
        email = EmailMessage(subject=message.title, body=message.body, to=[message.to],
                             from_email=self.options.get("from_email"), headers={"Message-ID": message_id})
        try:
            email.send(fail_silently=False)
        except OSError as exc:
            raise GatewayError(str(exc)) from exc
        return message_id


def gateway_for(channel: str) -> Gateway:
    """The gateway ``settings.WANGGE_OUTBOX_GATEWAYS`` names for ``channel`` (or for ``"*"``).
    A channel with no entry raises: better a dead letter an admin sees than a message that
    pretends to be sent."""
    config = getattr(settings, "WANGGE_OUTBOX_GATEWAYS", {})
    entry = config.get(channel, config.get("*"))
    if entry is None:
        raise PermanentGatewayError(f"no gateway configured for channel {channel!r} (WANGGE_OUTBOX_GATEWAYS)")
    if isinstance(entry, str):
        path, options = entry, {}
    else:
        path, options = entry["BACKEND"], dict(entry.get("OPTIONS", {}))
    return import_string(path)(channel=channel, **options)


try:  # POSIX advisory locks; on other systems the file is simply not shared between processes
    import fcntl

    def _lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
except ImportError:  # pragma: no cover
    def _lock(handle) -> None:
        pass

    def _unlock(handle) -> None:
        pass
