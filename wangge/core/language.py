"""The office language (办公语言): text the platform stores — notifications, timeline notes, titles it
makes up — is written in ``settings.LANGUAGE_CODE``, whatever language the person acting reads the
pages in, so that everyone later reads it the same (a clerk working in English must not leave
English lines in the Chinese timeline or in a department's notifications)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def office_text(message, params: dict | None = None) -> str:
    """``message`` (a ``gettext_lazy`` string, or plain text) with ``params`` put in, rendered in the
    office language. Lazy values among the params (choice labels, other lazy texts) render in it too:

        office_text(gettext_lazy("Case %(number)s was reopened: %(reason)s"), {"number": n, "reason": r})
    """
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        if params is None:
            return text
        return text % {key: value if isinstance(value, (int, float)) else str(value) for key, value in params.items()}
