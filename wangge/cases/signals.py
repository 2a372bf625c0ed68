"""What the case desk tells the apps that copy a case's text, inside its own transaction.

``case_text_erased(sender=Case, case, redact)``
    PIPL erasure (``actions.privacy.erase_from_free_text``): the reporter of ``case`` was erased,
    and their number and name are being replaced by 〔已删除〕 in the case's own texts. ``redact``
    (text → text, ``residents.masking.redactor``) does the same to any text: an app that keeps a
    copy of the case's words (a meeting's agenda item and minutes, a patrol finding) applies it to
    its copies and returns how many rows changed. Sent inside the erasure's transaction: a
    receiver that raises rolls the whole erasure back. Mechanical copying only (STYLE rule 7).
"""

from django.dispatch import Signal

case_text_erased = Signal()  # kwargs: case, redact; each receiver returns the number of rows it changed
