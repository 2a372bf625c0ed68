"""Reads of the duplicate finder (查重): candidate cases near a report, the candidates stored for
a case, the reporters a case has gathered.

Finding candidates is fast at a million cases because it reads only what the existing index on
``cases_case (grid_id, submitted_at)`` gives: the grids whose polygons touch a box of the search
radius around the point (from the in-process grid index, ``org.geo``), and within them the time
window. A case without a point is compared with its own grid's cases. What those rows are is
then narrowed by the box, the status and the category family in the same query, and scored here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from wangge.cases.choices import OPEN_STATUSES, CaseStatus
from wangge.cases.models import Case, Category
from wangge.core.localcache import ProcessCache
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import text as textsim
from .choices import CandidateStatus, LinkKind
from .models import (
    DEFAULT_CLOSED_DAYS,
    DEFAULT_RADIUS_M,
    DEFAULT_WINDOW_DAYS,
    CaseReporterLink,
    DuplicateCandidate,
    DuplicateRule,
)

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG_EQUATOR = 111_320.0
# At most this many rows are read and scored for one report: a busy corner at 250 m over 30 days
# has a few dozen; the cap only bounds a pathological rule (5 km, a year).
MAX_ROWS = 400

# The finest places of the territory: a report made at one (a 码上办 code on a building's door)
# is at the same spot as an earlier one made there.
SPOT_LEVELS = (RegionLevel.BUILDING, RegionLevel.UNIT)

# How the score is made (0…1): what the texts share counts most, then how close, then whether it
# is the same kind of problem, then how recent. See ``score``.
WEIGHTS = {"text": 0.45, "place": 0.25, "category": 0.20, "time": 0.10}
# A category the report does not name ("unknown") says less than "related" denies.
CATEGORY_SCORES = {"same": 1.0, "related": 0.4, "unknown": 0.5}


def store_threshold() -> float:
    """Scores at or above this are stored as candidates to check (疑似重复)."""
    return float(getattr(settings, "WANGGE_DUPLICATE_MIN_SCORE", 0.5))


def show_threshold() -> float:
    """Scores at or above this are shown to the clerk while filing (a wider net)."""
    return float(getattr(settings, "WANGGE_DUPLICATE_SHOW_SCORE", 0.35))


def resident_threshold() -> float:
    """A resident is offered to add themselves only to an open case scoring this much."""
    return float(getattr(settings, "WANGGE_DUPLICATE_RESIDENT_SCORE", 0.55))


# --------------------------------------------------------------------------------------------
# Rules and category families, kept per process
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    radius_m: int = DEFAULT_RADIUS_M
    window_days: int = DEFAULT_WINDOW_DAYS
    closed_days: int = DEFAULT_CLOSED_DAYS
    enabled: bool = True


@dataclass(frozen=True)
class Tables:
    rules: dict  # category path → Rule
    paths: dict  # category id → path
    by_path: dict  # path → category id


def _load_tables() -> Tables:
    paths = dict(Category.objects.values_list("pk", "path"))
    rules = {
        paths[r.category_id]: Rule(r.radius_m, r.window_days, r.closed_days, r.enabled)
        for r in DuplicateRule.objects.all() if r.category_id in paths
    }
    return Tables(rules=rules, paths=paths, by_path={p: pk for pk, p in paths.items()})


_tables: ProcessCache[Tables] = ProcessCache(_load_tables)


def _tables_changed(sender, **kwargs) -> None:
    _tables.invalidate()


for _signal in (post_save, post_delete):
    for _model in ("cases.Category", "intake_duplicates.DuplicateRule"):
        _signal.connect(_tables_changed, sender=_model, dispatch_uid=f"duplicates-tables-{_model}")


def rule_for(category_id: int | None) -> Rule:
    """The category's rule, else its nearest ancestor's, else the defaults."""
    tables = _tables.get()
    path = tables.paths.get(category_id) if category_id else None
    if path:
        step = Category.steplen
        for end in range(len(path), 0, -step):
            rule = tables.rules.get(path[:end])
            if rule is not None:
                return rule
    return Rule()


def family_ids(category_id: int | None) -> list[int] | None:
    """The categories a report of ``category_id`` may duplicate: its parent's whole branch (the
    parent, its siblings and their children) — or its own branch for a top-level category.
    None: no category given, any will do."""
    tables = _tables.get()
    path = tables.paths.get(category_id) if category_id else None
    if not path:
        return None
    step = Category.steplen
    root = path[:-step] if len(path) > step else path
    return sorted(pk for p, pk in tables.by_path.items() if p.startswith(root))


def relation(a_id: int | None, b_id: int | None) -> str:
    if not a_id or not b_id:
        return "unknown"
    return "same" if a_id == b_id else "related"


# --------------------------------------------------------------------------------------------
# Finding and scoring
# --------------------------------------------------------------------------------------------


@dataclass
class Match:
    case: Case
    score: float
    reasons: dict = field(default_factory=dict)

    @property
    def distance_m(self) -> int | None:
        return self.reasons.get("distance_m")

    @property
    def text_percent(self) -> int:
        return round(100 * self.reasons.get("text", 0))


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Metres between two nearby points (equirectangular: exact enough within a few km)."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dx = (lng2 - lng1) * M_PER_DEG_LNG_EQUATOR * math.cos(mean_lat)
    dy = (lat2 - lat1) * M_PER_DEG_LAT
    return math.hypot(dx, dy)


def _box(lng: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    dlat = radius_m / M_PER_DEG_LAT
    dlng = radius_m / (M_PER_DEG_LNG_EQUATOR * max(math.cos(math.radians(lat)), 0.01))
    return lng - dlng, lat - dlat, lng + dlng, lat + dlat


def grids_near(lng: float, lat: float, radius_m: float) -> list[int]:
    """Ids of the active grids whose polygons touch the box of ``radius_m`` around the point."""
    from wangge.org import geo

    index = geo.grid_index()
    if not len(index):
        return []
    hits = index.tree.query(shapely.box(*_box(lng, lat, radius_m)), predicate="intersects")
    return sorted(int(index.grid_ids[i]) for i in hits)


def _point(longitude, latitude) -> tuple[float, float] | None:
    try:
        lng, lat = float(longitude), float(latitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        return None
    return lng, lat


def candidate_queryset(*, category_id: int | None, point: tuple[float, float] | None, grid_id: int | None,
                       now: dt.datetime, exclude_pk: int | None = None, base: QuerySet | None = None,
                       open_only: bool = False) -> QuerySet | None:
    """The rows to score (unordered, capped), or None when there is nowhere to look."""
    rule = rule_for(category_id)
    if not rule.enabled:
        return None
    grids = set(grids_near(*point, rule.radius_m)) if point else set()
    if grid_id:
        grids.add(grid_id)
    if not grids:
        return None
    qs = (base if base is not None else Case.objects.all()).filter(
        grid_id__in=sorted(grids),
        submitted_at__gte=now - dt.timedelta(days=rule.window_days),
        submitted_at__lte=now + dt.timedelta(minutes=5),
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    else:
        qs = qs.filter(Q(status__in=[*OPEN_STATUSES, CaseStatus.RESOLVED])
                       | Q(status=CaseStatus.CLOSED, closed_at__gte=now - dt.timedelta(days=rule.closed_days)))
    family = family_ids(category_id)
    if family is not None:
        qs = qs.filter(category_id__in=family)
    if point:
        west, south, east, north = _box(*point, rule.radius_m)
        qs = qs.filter(Q(latitude__range=(south, north), longitude__range=(west, east)) | Q(latitude__isnull=True))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by()


def score(*, text_sim: float, distance: float | None, radius_m: float, same_grid: bool, category: str,
          age: dt.timedelta, window_days: int, same_spot: bool = False) -> float:
    """The weighted sum of text similarity, closeness (the same building or unit counts as the same
    spot; unknown distance in the same grid counts half), category relation and recency."""
    if same_spot:
        place = 1.0
    elif distance is not None:
        place = max(0.0, 1 - distance / radius_m)
    else:
        place = 0.5 if same_grid else 0.25
    recency = max(0.0, 1 - abs(age.total_seconds()) / (window_days * 86400))
    total = (WEIGHTS["text"] * text_sim + WEIGHTS["place"] * place
             + WEIGHTS["category"] * CATEGORY_SCORES[category] + WEIGHTS["time"] * recency)
    return round(total, 4)


def find_matches(*, text: str, category_id: int | None, longitude=None, latitude=None, grid_id: int | None = None,
                 spot: Region | None = None, exclude_pk: int | None = None, now: dt.datetime | None = None,
                 base: QuerySet | None = None, threshold: float | None = None, limit: int = 5,
                 open_only: bool = False) -> list[Match]:
    """Earlier cases that may be the same problem as a report (its text, category and place),
    best first. ``spot``: the building or unit the report was made at (a 码上办 code's place) —
    a case filed at it, or at a unit of it, is at the same spot. Bad or missing input gives
    fewer matches, never an error."""
    now = now or timezone.now()
    spot_path = spot.path if spot is not None and spot.level in SPOT_LEVELS else ""
    if spot_path and not grid_id:
        grid_id = grid_of(spot)
    point = _point(longitude, latitude)
    category_id = category_id if isinstance(category_id, int) else None
    grid_id = grid_id if isinstance(grid_id, int) else None
    qs = candidate_queryset(category_id=category_id, point=point, grid_id=grid_id, now=now,
                            exclude_pk=exclude_pk, base=base, open_only=open_only)
    if qs is None:
        return []
    rule = rule_for(category_id)
    threshold = show_threshold() if threshold is None else threshold
    mine = textsim.bigrams(text or "")
    rows = qs.select_related("category", "grid", "region").only(
        "pk", "number", "title", "description", "address", "status", "category__name", "category__path",
        "category__resident_label", "category__name_en", "grid__name", "grid_id", "longitude", "latitude", "submitted_at",
        "closed_at", "merged_into_id", "category_id", "region__name", "region__path", "region__level",
    )[:MAX_ROWS]
    matches = []
    for case in rows:
        distance = None
        if point and case.latitude is not None and case.longitude is not None:
            distance = distance_m(point[0], point[1], case.longitude, case.latitude)
            if distance > rule.radius_m:
                continue  # in the box's corner, outside the circle
        text_sim = textsim.similarity(mine, textsim.bigrams(f"{case.title} {case.description}"))
        rel = relation(category_id, case.category_id)
        age = now - case.submitted_at
        same_spot = bool(spot_path) and _same_spot(spot_path, case.region)
        value = score(text_sim=text_sim, distance=distance, radius_m=rule.radius_m,
                      same_grid=bool(grid_id) and case.grid_id == grid_id, category=rel, age=age,
                      window_days=rule.window_days, same_spot=same_spot)
        if value < threshold:
            continue
        reasons = {"text": text_sim, "category": rel, "hours": max(0, int(age.total_seconds() // 3600))}
        if distance is not None:
            reasons["distance_m"] = round(distance)
        if same_spot:
            reasons["spot"] = True
        matches.append(Match(case=case, score=value, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, -m.case.submitted_at.timestamp(), m.case.pk))
    return matches[:limit]


def _same_spot(spot_path: str, region: Region | None) -> bool:
    """Was a case filed at ``region`` at the spot (building or unit) of path ``spot_path``: the
    very place, a unit of that building, or the building of that unit?"""
    if region is None or region.level not in SPOT_LEVELS:
        return False
    return region.path.startswith(spot_path) or spot_path.startswith(region.path)


def grid_of(region: Region | None) -> int | None:
    """The id of the grid ``region`` is (or lies in: a building, a unit), or None."""
    if region is None:
        return None
    if region.level == RegionLevel.GRID:
        return region.pk
    if region.level not in SPOT_LEVELS:
        return None
    step = Region.steplen
    above = [region.path[:end] for end in range(step, len(region.path), step)]
    return Region.objects.filter(path__in=above, level=RegionLevel.GRID).values_list("pk", flat=True).first()


def _spot_of(case: Case) -> Region | None:
    region = case.region if case.region_id else None
    return region if region is not None and region.level in SPOT_LEVELS else None


def matches_for_case(case: Case, *, threshold: float | None = None, limit: int = 5) -> list[Match]:
    """Earlier cases that may be the same problem as the filed ``case``."""
    return find_matches(
        text=f"{case.title} {case.description}", category_id=case.category_id, longitude=case.longitude,
        latitude=case.latitude, grid_id=case.grid_id, spot=_spot_of(case), exclude_pk=case.pk,
        now=case.submitted_at,
        base=Case.objects.filter(submitted_at__lte=case.submitted_at),
        threshold=store_threshold() if threshold is None else threshold, limit=limit,
    )


def open_match_for_report(*, text: str, category_id: int | None, longitude=None, latitude=None,
                          grid_id: int | None = None, spot: Region | None = None, limit: int = 3) -> list[Match]:
    """For the resident report page: open cases nearby that are very likely the same problem —
    of the very category the resident chose (without one, a resident is never turned away from
    filing: a wrong offer costs them their report)."""
    if not category_id:
        return []
    matches = find_matches(text=text, category_id=category_id, longitude=longitude, latitude=latitude,
                           grid_id=grid_id, spot=spot, threshold=resident_threshold(), limit=limit + 3,
                           open_only=True)
    same = [m for m in matches if m.reasons["category"] == "same"]
    return _joined_as_their_case(same, point=_point(longitude, latitude))[:limit]


def _joined_as_their_case(matches: list[Match], *, point: tuple[float, float] | None = None) -> list[Match]:
    """A report filed by 我也遇到了 and not merged yet stands for the case it joined: offering it
    apart would show the same problem twice (and count its joiners apart)."""
    joined = dict(CaseReporterLink.objects.filter(
        from_case__in=[m.case.pk for m in matches], kind=LinkKind.JOINED, case__status__in=OPEN_STATUSES,
    ).values_list("from_case_id", "case_id"))
    if not joined:
        return matches
    cases = Case.objects.select_related("category", "grid", "region").in_bulk(set(joined.values()))
    out, seen = [], set()
    for match in matches:  # best first: a case keeps its best match
        case = cases.get(joined.get(match.case.pk), match.case)
        if case.pk in seen:
            continue
        seen.add(case.pk)
        if case is not match.case:  # where the joined report is says nothing of where its case is
            reasons = {k: v for k, v in match.reasons.items() if k not in ("distance_m", "spot")}
            if point and case.longitude is not None and case.latitude is not None:
                reasons["distance_m"] = round(distance_m(point[0], point[1], case.longitude, case.latitude))
            match = Match(case=case, score=match.score, reasons=reasons)
        out.append(match)
    return out


# --------------------------------------------------------------------------------------------
# Stored candidates and reporters
# --------------------------------------------------------------------------------------------


def surviving_case(case: Case) -> Case:
    """The case that carries on for ``case``: itself, or the end of its chain of merges."""
    seen = {case.pk}
    while case.status == CaseStatus.MERGED and case.merged_into_id and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = Case.objects.select_related("category", "grid").get(pk=case.merged_into_id)
    return case


@dataclass
class CandidateView:
    """One stored candidate as the case page shows it: the other case (followed to its
    survivor) and whether this page's case is the newer report."""

    row: DuplicateCandidate
    other: Case
    survivor: Case
    newer: bool  # this page's case is ``row.case``


def candidates_for(user, case: Case) -> list[CandidateView]:
    """Candidates stored for ``case`` either way round, limited to cases ``user`` may see."""
    from wangge.cases.selectors import cases_visible_to

    rows = list(
        DuplicateCandidate.objects.filter(Q(case=case) | Q(candidate=case))
        .order_by("status", "-score", "pk")[:20]
    )
    if not rows:
        return []
    other_ids = {r.candidate_id if r.case_id == case.pk else r.case_id for r in rows}
    visible = {c.pk: c for c in cases_visible_to(user).filter(pk__in=other_ids).select_related("category", "grid")}
    out = []
    for row in rows:
        newer = row.case_id == case.pk
        other = visible.get(row.candidate_id if newer else row.case_id)
        if other is None:
            continue
        out.append(CandidateView(row=row, other=other, survivor=surviving_case(other), newer=newer))
    return out


def open_candidate_count(case: Case) -> int:
    return DuplicateCandidate.objects.filter(case=case, status=CandidateStatus.OPEN).count()


def reporter_links(case: Case) -> list[CaseReporterLink]:
    return list(CaseReporterLink.objects.filter(case=case).select_related("from_case", "resident"))


def reporter_count(case: Case, links: list[CaseReporterLink] | None = None) -> int:
    """How many people reported this problem: the case's own reporter (even anonymous) and each
    further one — a merged report's reporter or a resident who added themselves — once."""
    links = reporter_links(case) if links is None else links
    people = {("resident", case.reporter_id) if case.reporter_id else ("case", case.pk)}
    for link in links:
        people.add(("resident", link.resident_id) if link.resident_id else ("link", link.pk))
    return len(people)


def counts_phone(case: Case, phone: str) -> bool:
    """Is the person of mobile/phone ``phone`` (normalised) already counted on ``case``: its own
    reporter, or a further reporter (by their resident record or the report they filed)?"""
    from wangge.residents.masking import normalise_phone

    def same(value) -> bool:
        return bool(value) and normalise_phone(value) == phone

    reporter = case.reporter if case.reporter_id else None
    if same(case.reporter_phone) or same(getattr(reporter, "phone", "")):
        return True
    return any(same(getattr(link.resident, "phone", "")) or same(getattr(link.from_case, "reporter_phone", ""))
               for link in reporter_links(case))


def match_between(case: Case, other: Case) -> Match | None:
    """How alike ``case`` and the earlier ``other`` are, scored as the finder scores (None when
    ``other`` is outside where the finder looks: too far, too old, another family)."""
    found = find_matches(
        text=f"{case.title} {case.description}", category_id=case.category_id, longitude=case.longitude,
        latitude=case.latitude, grid_id=case.grid_id, spot=_spot_of(case), exclude_pk=case.pk,
        now=case.submitted_at, base=Case.objects.filter(pk=other.pk), threshold=0.0, limit=1,
    )
    return found[0] if found else None


def counted_on(report: Case) -> Case | None:
    """The open case a 我也遇到了 report is counted on while it waits to be merged (for its
    tracking page: "joined to the same problem, reported by N people"), or None."""
    link = (CaseReporterLink.objects.filter(from_case=report, kind=LinkKind.JOINED, case__status__in=OPEN_STATUSES)
            .select_related("case__category", "case__grid").first())
    return link.case if link is not None else None


def joined_report(*, source: str, key: str) -> Case | None:
    """The report 我也遇到了 filed under idempotency ``key``, if it was filed."""
    return Case.objects.filter(source=source, external_id=key).first() if key else None


# --------------------------------------------------------------------------------------------
# The resident report page: "already reported nearby — add yourself"
# --------------------------------------------------------------------------------------------

REF_SALT = "intake_duplicates.join"
REF_MAX_AGE = 6 * 3600  # an offer made on the report page holds for six hours


@dataclass(frozen=True)
class NearbyReport:
    """What a resident is shown of someone else's open case: the kind of problem, where and when —
    never its text or reporter (they may name a person). ``spot`` tells two such cases in one grid
    apart: the building or unit it was filed at, else the start of the address it gave, cut before
    any room or household detail (``text.public_place``)."""

    ref: str
    label: str
    place: str  # the grid
    spot: str
    submitted_at: dt.datetime
    reporters: int
    distance_m: int | None = None  # from the place the resident chose


def _spot_words(case: Case) -> str:
    region = case.region if case.region_id else None
    if region is not None and region.level in SPOT_LEVELS:
        if region.level == RegionLevel.UNIT:
            building = Region.objects.filter(path=region.path[:-Region.steplen], level=RegionLevel.BUILDING).first()
            return f"{building.name}{region.name}" if building is not None else region.name
        return region.name
    return textsim.public_place(case.address)


def describe_for_resident(case: Case, match: Match | None = None) -> NearbyReport:
    from django.core import signing

    category = case.category
    label = category.resident_display if category is not None else ""
    grid = case.grid
    return NearbyReport(
        ref=signing.dumps(case.pk, salt=REF_SALT), label=label, place=grid.name if grid is not None else "",
        spot=_spot_words(case), submitted_at=case.submitted_at, reporters=reporter_count(case),
        distance_m=match.distance_m if match is not None else None,
    )


def read_report_ref(ref: str) -> int | None:
    """The case id a ``NearbyReport.ref`` was made for; None if altered, malformed or expired."""
    from django.core import signing

    try:
        value = signing.loads(ref or "", salt=REF_SALT, max_age=REF_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return value if isinstance(value, int) else None


def nearby_reports(*, description: str = "", category=None, longitude=None, latitude=None, region=None,
                   skip: bool = False, limit: int = 2, **_other) -> list[NearbyReport]:
    """Open cases very likely about the resident's problem, from what ``ReportForm.case_kwargs``
    gives (other keys ignored); none when ``skip`` (the resident chose to send it anyway)."""
    if skip:
        return []
    # A place chosen from the list is a grid; a 码上办 code's place may be a building or a unit.
    spot = region if region is not None and region.level in SPOT_LEVELS else None
    matches = open_match_for_report(text=description, category_id=getattr(category, "pk", None),
                                    longitude=longitude, latitude=latitude, grid_id=grid_of(region),
                                    spot=spot, limit=limit)
    return [describe_for_resident(m.case, m) for m in matches]
