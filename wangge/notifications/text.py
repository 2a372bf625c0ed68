"""A staff member's text as a notice to a resident quotes it (the answer, the reason), shortened."""

from __future__ import annotations

# The notices put their own full stop after the text ("…原因：{{ reason }}。"): a text's own final
# punctuation would show as "。。", and before the "…" of a cut one as "，…".
END_PUNCTUATION = "。．.!！；;，,、：: "
ELLIPSIS = "…"


def shorten(text: str | None, *, limit: int) -> str:
    """``text`` on one line, without its final punctuation, at most ``limit`` characters: a longer
    one is cut and ends in "…" (which counts), never in "，…" or "。…"."""
    text = " ".join((text or "").split()).rstrip(END_PUNCTUATION)
    if len(text) <= limit:
        return text
    # The punctuation goes after the cut as well: the cut may land just after a comma.
    return text[: limit - len(ELLIPSIS)].rstrip(END_PUNCTUATION) + ELLIPSIS
