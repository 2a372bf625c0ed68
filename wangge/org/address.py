"""地址查找 — find a place by what people know: the name of their compound, building or street,
typed in characters or as 拼音 initials ("hsxl" → 和顺西里), never the grid's name.

The index holds the active communities, grids, buildings and units of the territory tree with
their other names and addresses (``Region.aliases``: compounds, street numbers, landmarks). A hit
names the place, its community and the grid it sets::

    for place in search("湖畔家园"):
        place.label, place.grid_id      # "湖畔家园 · 青湖社区 › 青湖第一网格", 57

The index is built once per process and rebuilt when a region changes (its newest ``updated_at``
or its count changes), like the grid index of ``geo``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from .choices import RegionLevel
from .models import Region

LEVELS = (RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT)
# A compound / address line (an alias) or a building first: the thing a resident names; then
# units, grids, communities.
LEVEL_RANK = {RegionLevel.BUILDING: 0, RegionLevel.UNIT: 1, RegionLevel.GRID: 2, RegionLevel.COMMUNITY: 3}
MAX_QUERY = 40
_SPACES = re.compile(r"[\s·、,，/]+")


def initials(text: str) -> str:
    """拼音 initials of the Chinese characters, other letters and digits kept whole: 和顺西里12号楼 →
    hsxl12hl (a run of digits is one item of pypinyin's: its first digit alone would make 12号楼
    a "1" that "hsxl12" never finds)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


def spelled(text: str) -> str:
    """Full 拼音 without tones or spaces: 和顺里 → heshunli."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower()


def _norm(text: str) -> str:
    return _SPACES.sub("", (text or "").strip().lower())


# A street's block of door numbers as an alias gives it ("安德路61-120号"), and a door number as a
# caller says it ("安德路76号", "安德路76号院3号楼"): the number finds the block it falls in.
_BLOCK = re.compile(r"(?P<street>\D+?)(?P<low>\d+)[-－~～至到](?P<high>\d+)号?")
_DOOR = re.compile(r"(?P<street>\D+?)(?P<number>\d+)(?:号|$)")


def _block(key: str) -> tuple[str, int, int] | None:
    match = _BLOCK.fullmatch(key)
    if match is None:
        return None
    low, high = int(match["low"]), int(match["high"])
    return (match["street"], low, high) if low <= high else None


def _in_block(typed: str, block: tuple[str, int, int] | None) -> bool:
    """Does ``typed`` name a door of the street's block ("安德路76号…" in 安德路61-120号)?"""
    if block is None:
        return False
    street, low, high = block
    return any(low <= int(m["number"]) <= high for m in _DOOR.finditer(typed) if m["street"].endswith(street))


@dataclass(frozen=True)
class Place:
    """One thing to find: a node of the tree, or one of its other names / addresses."""

    region_id: int
    level: str
    text: str  # what matched: the node's name or the alias line
    context: str  # community › grid (› building)
    grid_id: int | None
    community_id: int | None
    keys: tuple[str, str, str]  # normalised text, initials, full pinyin
    alias: bool = False  # one of the node's other names (a compound, an address), not its name
    block: tuple[str, int, int] | None = None  # a block of door numbers: street, first, last

    @property
    def label(self) -> str:
        return f"{self.text} · {self.context}" if self.context else self.text

    def as_json(self) -> dict:
        return {"id": self.region_id, "level": self.level, "text": self.text, "context": self.context,
                "label": self.label, "grid": self.grid_id, "community": self.community_id,
                "block": self.block is not None}


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _score(query: str, place: Place) -> int | None:
    """Lower is better; None: no match."""
    text, ini, full = place.keys
    if text.startswith(query) or _in_block(query, place.block):
        return 0
    if query in text:
        return 1
    if query.isascii():
        if ini.startswith(query) or full.startswith(query):
            return 2
        if query in ini or query in full:
            return 3
        if len(query) >= 2 and ini[:1] == query[:1] and _subsequence(query, ini):
            return 5
    return None


class AddressIndex:
    def __init__(self, places: list[Place]):
        self.places = places

    @classmethod
    def build(cls) -> AddressIndex:
        nodes = list(Region.objects.filter(level__in=LEVELS, is_active=True).order_by("path")
                     .only("pk", "name", "path", "level", "aliases", "depth"))
        by_path = {n.path: n for n in nodes}
        step = Region.steplen
        places = []
        for node in nodes:
            chain = [by_path[node.path[:i]] for i in range(step, len(node.path), step) if node.path[:i] in by_path]
            grid = node if node.level == RegionLevel.GRID else next(
                (a for a in chain if a.level == RegionLevel.GRID), None)
            community = node if node.level == RegionLevel.COMMUNITY else next(
                (a for a in chain if a.level == RegionLevel.COMMUNITY), None)
            context = " › ".join(a.name for a in chain)
            texts = [node.name] + [line.strip() for line in (node.aliases or "").splitlines() if line.strip()]
            for i, text in enumerate(texts):
                where = context if i == 0 else " › ".join([*(a.name for a in chain), node.name])
                places.append(Place(
                    region_id=node.pk, level=node.level, text=text, context=where,
                    grid_id=grid.pk if grid else None, community_id=community.pk if community else None,
                    keys=(_norm(text), initials(_norm(text)), spelled(_norm(text))), alias=i > 0,
                    block=_block(_norm(text)),
                ))
        return cls(places)

    def search(self, query: str, *, limit: int = 10, levels=None) -> list[Place]:
        q = _norm(query)[:MAX_QUERY]
        if not q:
            return []
        hits = []
        for place in self.places:
            if levels and place.level not in levels:
                continue
            score = _score(q, place)
            if score is not None:
                rank = 0 if place.alias else LEVEL_RANK.get(place.level, 9)
                hits.append((score, rank, len(place.text), place.text, place))
        hits.sort(key=lambda h: h[:4])
        seen, out = set(), []
        for *_rank, place in hits:
            key = (place.region_id, place.text)
            if key in seen:
                continue
            seen.add(key)
            out.append(place)
            if len(out) >= limit:
                break
        return out


_lock = threading.Lock()
_cache: dict[str, object] = {"version": None, "index": None}


def _version():
    row = Region.objects.filter(level__in=LEVELS).aggregate(n=Count("pk"), at=Max("updated_at"))
    return row["n"], row["at"]


def address_index() -> AddressIndex:
    version = _version()
    with _lock:
        if _cache["index"] is None or _cache["version"] != version:
            _cache["index"] = AddressIndex.build()
            _cache["version"] = version
        return _cache["index"]


def search(query: str, *, limit: int = 10) -> list[Place]:
    """The places matching ``query`` (characters, 拼音 initials or full 拼音), best first."""
    return address_index().search(query, limit=limit)


def place_in(text: str) -> Place | None:
    """The place a typed address names ("湖畔家园5号楼东门" → 湖畔家园, "安德路76号" → 安德路61-120号):
    the longest name or alias found in it, a building before a grid or a community; None when it
    names none."""
    typed = _norm(text)
    if len(typed) < 2:
        return None
    best = None
    for place in address_index().places:
        key = place.keys[0]
        if len(key) >= 2 and (key in typed or _in_block(typed, place.block)):
            rank = (len(key), -LEVEL_RANK.get(place.level, 9))
            if best is None or rank > best[0]:
                best = (rank, place)
    return best[1] if best else None
