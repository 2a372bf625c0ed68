"""Chinese-aware text pieces (文本相似度): character n-grams, no word segmentation.

Chinese has no spaces, so words are not split out (jieba would add a 20 MB dictionary and
guesswork on place names); overlapping two-character pieces carry nearly all of what a word
list would for short reports — "井盖缺失" → 井盖 盖缺 缺失 — and a pair of reports about the
same problem shares many of them however each resident phrases the rest. Latin letters and
digits are kept as whole tokens (a building number "3号楼" → "3", "号楼").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Punctuation, spaces and symbols split the text; what is left are runs of Han characters and
# runs of letters/digits.
_SPLIT = re.compile(r"[^\w]+|_+")
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+")

# Words that say nothing about which problem it is (polite frames residents use).
STOP_BIGRAMS = frozenset({
    "你好", "您好", "希望", "请求", "请尽", "尽快", "快处", "处理", "谢谢", "反映", "一下", "问题",
    "现在", "已经", "一直", "我们", "我家", "这个", "那个", "没有", "不是", "可以", "还是",
})


# Containment counts only for a shorter text of at least this many pieces.
CONTAINED_MIN = 6


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def runs(text: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT.split(normalise(text)):
        out.extend(_RUN.findall(part))
    return out


def bigrams(text: str) -> Counter:
    """The text's pieces, counted: Han bigrams (a lone Han character stands for itself) and
    letter/digit tokens."""
    grams: Counter = Counter()
    for run in runs(text):
        if run.isascii() or len(run) == 1:
            grams[run] += 1
        else:
            for i in range(len(run) - 1):
                gram = run[i:i + 2]
                if gram not in STOP_BIGRAMS:
                    grams[gram] += 1
    return grams


def similarity(a: str | Counter, b: str | Counter) -> float:
    """0…1: how much two texts share, as the Dice coefficient over their bigram sets, lifted
    towards containment when one report is much shorter than the other ("井盖丢了" inside a long
    account of the same manhole is the same problem)."""
    ga = set(a if isinstance(a, Counter) else bigrams(a))
    gb = set(b if isinstance(b, Counter) else bigrams(b))
    if not ga or not gb:
        return 0.0
    common = len(ga & gb)
    dice = 2 * common / (len(ga) + len(gb))
    shorter = min(len(ga), len(gb))
    if shorter < CONTAINED_MIN:  # a few pieces (often just the address) are contained by chance
        return round(dice, 4)
    return round(max(dice, 0.7 * common / shorter), 4)


# Where an address stops naming a place and starts naming a household: a room ("301室", "2单元
# 301", "5楼502"), a building-unit-room triple ("3-2-301"), a floor ("6层"), a long digit run
# (a phone number typed into the wrong box).
_HOUSEHOLD = re.compile(
    r"\d+\s*[-－—–]\s*\d+"
    r"|(?:(?<=单元)|(?<=号楼)|(?<=楼)|(?<=栋)|(?<=幢)|(?<=座))\s*\d{3,}"
    r"|\d+\s*(?:室|户|层|房间|号房)"
    r"|\d{5,}"
)
PUBLIC_PLACE_CHARS = 16


def public_place(address: str, *, limit: int = PUBLIC_PLACE_CHARS) -> str:
    """The start of an address a neighbour may be shown ("和顺西里5号楼2单元301室" →
    "和顺西里5号楼2单元…"): cut before the first sign of a household, then to ``limit``
    characters — enough to tell one spot of a grid from another, short of naming who lives there."""
    text = " ".join((address or "").split())
    found = _HOUSEHOLD.search(text)
    kept = text[:found.start()] if found else text
    kept = kept[:limit].rstrip(" ,，、;；:：-—()（）")
    return kept + "…" if kept and len(kept) < len(text) else kept
