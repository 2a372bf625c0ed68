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

The console gateway writes to the server log, which operators and log collectors read: a
resident's number and a message's secrets (``secret_keys``: the verification code of 我的个人信息)
never appear there, in any setting. The demo finds its codes in a file of its own (``codes_file``,
honoured only where the demo app is installed, never in production).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from wangge.residents.masking import mask_phone

log = logging.getLogger("wangge.outbox")

SECRET_MASK = "******"
_LONG_NUMBER = re.compile(r"\d{7,}")
# A mainland mobile number as people type it in a text: 13812341234, 138 1234 1234, 138-1234-1234.
_TYPED_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ \-]?\d){8}(?!\d)")

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
    secret_keys: tuple[str, ...] = ()  # the context values that are secrets (the outbox row's)

    def secrets(self) -> list[str]:
        return secret_values(self.context, self.secret_keys)


def secret_values(context: dict | None, secret_keys) -> list[str]:
    """The values of ``context`` that ``secret_keys`` name, longest first (for masking in a text)."""
    context = context or {}
    values = {str(context[key]) for key in secret_keys or () if context.get(key) not in (None, "")}
    return sorted(values, key=len, reverse=True)


def conceal(text: str, secrets: list[str]) -> str:
    """``text`` with each of ``secrets`` masked (******)."""
    for value in secrets:
        text = text.replace(value, SECRET_MASK)
    return text


def mask_address(address: str) -> str:
    """138****1234 / a***@example.org — enough to tell messages apart, not to reach anyone."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(address) > 7:
        return mask_phone(address)
    return address[:1] + "***" if address else ""


def masked_key(key: str) -> str:
    """A dedupe key as a log line may show it: a phone number in it masked (138****1234)."""
    return _LONG_NUMBER.sub(lambda m: mask_phone(m.group()), key or "")


def loggable(text: str, secrets: list[str] = ()) -> str:
    """``text`` as a log line may hold it: its secrets and every mobile number in it masked."""
    return _TYPED_MOBILE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())), conceal(text, list(secrets)))


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
    """Writes each message to the log (development, the demo, and wherever no provider is set
    yet). Remembers nothing. The line never holds the resident's number (138****1234, in the text
    too) nor the message's secrets (******).

    ``codes_file`` (option, development only): the secrets are appended there instead, one line
    per message (time, masked number, template, values), so a developer can sign in to the demo's
    我的个人信息; the log line names the file. Honoured only where the demo app is installed (the
    dev and test settings); anywhere else the option is ignored and said so, and the code goes
    nowhere."""

    def send(self, message: Envelope) -> str:
        secrets = message.secrets()
        to = mask_address(message.to)
        text = loggable(f"{message.title} / {message.body}" if message.title else message.body, secrets)
        where = self._write_secrets(message, secrets) if secrets else ""
        log.info("outbox %s → %s [%s]: %s%s", message.channel, to,
                 masked_key(message.idempotency_key.replace(message.to, to)), text, where)
        return f"console-{self.message_id(message)}"

    def _write_secrets(self, message: Envelope, secrets: list[str]) -> str:
        path = self.options.get("codes_file")
        if not path:
            return ""
        from django.apps import apps

        if not apps.is_installed("wangge.demo"):
            log.warning("outbox: the console gateway's codes_file is for the demo only; ignored here")
            return ""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        values = " ".join(f"{key}={message.context[key]}" for key in message.secret_keys if key in message.context)
        line = f"{timezone.localtime():%Y-%m-%d %H:%M:%S}  {mask_address(message.to)}  {message.template}  {values}\n"
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
        return f" (development only: {', '.join(message.secret_keys)} written to {path})"


def demo_codes_file(channel: str) -> str:
    """Where the demo's console gateway writes the codes of ``channel`` ("" anywhere else): for a
    page to tell a developer where to look."""
    from django.apps import apps

    gateway = gateway_for(channel) if apps.is_installed("wangge.demo") else None
    return str(gateway.options.get("codes_file") or "") if isinstance(gateway, ConsoleGateway) else ""


class FileGateway(Gateway):
    """Appends one JSON line per message to ``<WANGGE_OUTBOX_DIR>/<channel>.jsonl`` (the demo and
    the tests read them back). A stand-in for the provider, not a log: the file is the phones'
    inboxes, each line the message as delivered (the number, the code), for the tests to check
    what a resident received; never set it where a real provider belongs. Like a real provider it dedupes on the idempotency key: a key it
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
