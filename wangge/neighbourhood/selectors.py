"""Scoped reads of the neighbourhood app (built on ``org.scope``).

Reach: a member of staff reaches the territory of their roles (``Scope``), except that the org
roles of building and unit chief are not widened to the grid here — in this app a chief reaches
the place of their serving ``Chief`` rows: a unit chief their unit, a building chief the building
(its units included), a grid chief the grid. Rows outside the reach are “not found”.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from wangge.core.errors import NotFound
from wangge.core.http import row_id
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region
from wangge.org.scope import Scope
from wangge.residents.masking import half_width, mask_name

from .choices import (
    CHIEF_LEVEL,
    CHIEF_TIER,
    NEED_PENDING,
    NeedStatus,
    ResourceTier,
    ScoreTarget,
)
from .models import (
    Chief,
    FollowUp,
    Need,
    NeedClass,
    Rating,
    RatingPeriod,
    Resource,
    ServiceRecord,
)

# org roles that this app narrows to the chief's own place (their Chief rows).
CHIEF_ROLES = frozenset({Role.BUILDING_CHIEF, Role.UNIT_CHIEF})
# Who appoints chiefs, publishes questionnaires, keeps the resource library, takes escalated needs.
MANAGER_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.STREET_CHIEF_L1, Role.LEADER, Role.ADMIN})
# Who reviews and publishes a quarter, evaluates the chiefs and gives awards (the sub-district).
SUBDISTRICT_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# Staff who work the ground and may raise needs and record services in their territory.
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF, Role.STREET_CHIEF_L3})


class NeedNotFound(NotFound):
    pass


# ---------------------------------------------------------------------------------------------
# Reach
# ---------------------------------------------------------------------------------------------


def serving_chiefs(user) -> list[Chief]:
    """The user's serving chief posts (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_nb_chiefs", None)
    if cached is None:
        cached = list(Chief.objects.filter(user=user, ended_at__isnull=True).select_related("region", "community"))
        user._nb_chiefs = cached
    return cached


def reach_roots(user, *, roles=None) -> list[Region] | None:
    """The territory nodes ``user`` reaches in this app; None means everything (a superuser).
    With ``roles``, only those staff roles count (and no chief posts)."""
    if not getattr(user, "is_authenticated", False):
        return []
    scope = Scope.of(user)
    if scope.everything:
        return None
    if roles is not None:
        return scope.regions_for(roles)
    roots = scope.regions_for([r for r in scope.regions if r not in CHIEF_ROLES])
    return roots + [c.region for c in serving_chiefs(user)]


def scoring_subdistricts(user) -> list[Region]:
    """The sub-districts whose quarterly scores and yearly evaluation ``user`` runs (leaders,
    administrators); none for the community and the grid, whose menu then leaves those pages out."""
    roots = reach_roots(user, roles=SUBDISTRICT_ROLES)
    qs = Region.objects.filter(level=RegionLevel.SUBDISTRICT, is_active=True)
    if roots is not None:
        if not roots:
            return []
        qs = qs.filter(_or([Q(path__startswith=r.path) for r in roots]))
    return list(qs.order_by("path"))


def _within(roots, field: str = "region") -> Q | None:
    if roots is None:
        return None
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field}__path__startswith": root.path})
    return q


def _restrict(queryset: QuerySet, user, field: str = "region") -> QuerySet:
    q = _within(reach_roots(user), field)
    return queryset if q is None else queryset.filter(q)


def reaches(user, region: Region, *, roles=None) -> bool:
    """Does ``user`` reach ``region`` (it lies inside one of their nodes)?"""
    roots = reach_roots(user, roles=roles)
    return roots is None or any(region.path.startswith(r.path) for r in roots)


def may_manage(user, region: Region) -> bool:
    """A community secretary (or above) whose territory holds ``region``."""
    return reaches(user, region, roles=MANAGER_ROLES)


def may_publish(user, subdistrict: Region) -> bool:
    return reaches(user, subdistrict, roles=SUBDISTRICT_ROLES)


def may_work(user, region: Region) -> bool:
    """May ``user`` raise needs and record services at ``region``: a chief whose place holds it,
    a field worker or manager whose territory does."""
    return reaches(user, region)


def is_staff_user(user) -> bool:
    """Anyone with a role in this app's pages: a chief, a field worker, a manager."""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = Scope.of(user)
    return scope.everything or bool(serving_chiefs(user)) or scope.has_any(MANAGER_ROLES | FIELD_ROLES)


def manager_communities(user) -> list[Region]:
    """The communities ``user`` manages (for pickers)."""
    roots = reach_roots(user, roles=MANAGER_ROLES)
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True)
    if roots is not None:
        qs = qs.filter(_or([Q(path__startswith=r.path) for r in roots]))
    return list(qs.order_by("path"))


def _or(qs: list[Q]) -> Q:
    q = Q(pk__in=[])
    for part in qs:
        q |= part
    return q


def visible_communities(user) -> list[Region]:
    """Communities any of whose places the user reaches (or which contain their place)."""
    roots = reach_roots(user)
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True)
    if roots is not None:
        paths = set()
        for r in roots:
            paths.update(_ancestor_paths(r))
        qs = qs.filter(_or([Q(path__startswith=r.path) for r in roots]) | Q(path__in=paths))
    return list(qs.order_by("path"))


def _ancestor_paths(region: Region) -> list[str]:
    step = Region.steplen
    return [region.path[:i] for i in range(step, len(region.path) + 1, step)]


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


def chiefs_visible_to(user) -> QuerySet[Chief]:
    return _restrict(Chief.objects.select_related("region", "community", "user"), user)


def needs_visible_to(user) -> QuerySet[Need]:
    return _restrict(Need.objects.select_related("need_class", "region", "community", "chief", "resource"), user)


def need_for(user, pk) -> Need:
    pk = row_id(pk)
    need = needs_visible_to(user).filter(pk=pk).first() if pk else None
    if need is None:
        raise NeedNotFound()
    return need


def resources_visible_to(user) -> QuerySet[Resource]:
    """A resource is visible where its service area and the user's reach overlap: inside it, or
    around it (a sub-district-wide service reaches every unit chief)."""
    qs = Resource.objects.select_related("area", "linked_by").prefetch_related("classes")
    roots = reach_roots(user)
    if roots is None:
        return qs
    paths = set()
    for r in roots:
        paths.update(_ancestor_paths(r))
    return qs.filter(_or([Q(area__path__startswith=r.path) for r in roots]) | Q(area__path__in=paths))


def resource_for(user, pk) -> Resource:
    pk = row_id(pk)
    row = resources_visible_to(user).filter(pk=pk).first() if pk else None
    if row is None:
        raise NotFound()
    return row


def services_visible_to(user) -> QuerySet[ServiceRecord]:
    return _restrict(ServiceRecord.objects.select_related("resource", "chief", "need", "need_class", "household"), user)


def service_for(user, pk) -> ServiceRecord:
    pk = row_id(pk)
    row = services_visible_to(user).filter(pk=pk).first() if pk else None
    if row is None:
        raise NotFound()
    return row


def households_visible_to(user):
    """The households of the user's places (a chief's unit or building): masked data only."""
    from wangge.residents.models import Household

    return _restrict(Household.objects.select_related("unit"), user, field="unit").order_by("unit__path", "room")


def residents_of_household(household) -> list[dict]:
    from wangge.residents.models import Resident
    from wangge.residents.selectors import resident_summary

    return [resident_summary(r) for r in Resident.objects.filter(household=household, merged_into__isnull=True)]


@dataclass(frozen=True)
class Contact:
    """A person to contact about a need: ``household`` is where they live as far as the need
    knows (None: they named no room); ``raised_it``: they raised the need (or one merged into it)."""

    household: object
    resident: object
    raised_it: bool = False


def _usable(resident) -> bool:
    return resident is not None and not resident.merged_into_id and not resident.anonymised_at


def _raisers(need: Need) -> list[tuple[Need, object]]:
    """(need, the household it named or None) for ``need`` and the needs merged into it whose
    resident is known — a questionnaire's respondent is known by the phone they typed and is
    often on no household's record yet."""
    from .models import NeedHousehold

    raised = [n for n in [need, *Need.objects.filter(merged_into=need).select_related("resident")]
              if _usable(n.resident)]
    named: dict[int, list] = defaultdict(list)
    for link in NeedHousehold.objects.filter(need__in=[n.pk for n in raised]).select_related("household__unit"):
        named[link.need_id].append(link.household)
    return [(n, named[n.pk][0] if len(named[n.pk]) == 1 else None) for n in raised]


def need_contacts(need: Need) -> list[Contact]:
    """Whom to contact about ``need``, each once: the residents on record in its households, and
    whoever raised it (or a need merged into it) — with their own household, else the one they
    named on the need."""
    from wangge.residents.models import Resident

    contacts: list[Contact] = []
    seen: set[int] = set()
    raisers = _raisers(need)
    raiser_ids = {n.resident_id for n, _h in raisers}
    for link in need.household_links.select_related("household__unit"):
        for r in Resident.objects.filter(household=link.household, merged_into__isnull=True):
            contacts.append(Contact(link.household, r, raised_it=r.pk in raiser_ids))
            seen.add(r.pk)
    for n, named in raisers:
        r = n.resident
        if r.pk in seen:
            continue
        seen.add(r.pk)
        contacts.append(Contact(r.household if r.household_id else named, r, raised_it=True))
    return contacts


def resident_served(need: Need | None, household):
    """Who is asked to rate a service to ``household``: the resident who raised the need from that
    household (even if no household record lists them), else the first resident on record there."""
    from wangge.residents.models import Resident

    if need is not None:
        for n, named in _raisers(need):
            if n.resident.household_id == household.pk or (n.resident.household_id is None
                                                           and named is not None and named.pk == household.pk):
                return n.resident
    return Resident.objects.filter(household=household, merged_into__isnull=True).first()


def may_see_need_contact(user, need: Need, contact: Contact) -> bool:
    """May ``user`` see ``contact`` in full? As for a household's residents (``may_see_residents``);
    the one who raised the need also to a chief whose place holds the need, or the need's chief."""
    from wangge.org.scope import can_see_reporter

    if contact.household is not None and may_see_residents(user, contact.household):
        return True
    if not contact.raised_it:
        return False
    return can_see_reporter(user) or any(need.region.path.startswith(c.region.path) or c.pk == need.chief_id
                                         for c in serving_chiefs(user))


def may_see_residents(user, household) -> bool:
    """May ``user`` see the full name and phone of ``household``'s residents? Staff with the right to
    residents' data (``org.scope.can_see_reporter``), and the serving chief of the household's
    place (who visits them). Every view is logged by ``residents.services.reveal_resident``."""
    from wangge.org.scope import can_see_reporter

    if can_see_reporter(user):
        return True
    unit = household.unit
    return unit is not None and any(unit.path.startswith(c.region.path) for c in serving_chiefs(user))


def need_classes() -> list[NeedClass]:
    return list(NeedClass.objects.filter(is_active=True))


# ---------------------------------------------------------------------------------------------
# Coverage of the three chiefs
# ---------------------------------------------------------------------------------------------


@dataclass
class Coverage:
    community: Region
    grids: int
    buildings: int
    units: int
    grids_without: list[Region]
    buildings_without: list[Region]
    units_without: list[Region]

    @property
    def covered_share(self) -> int:
        total = self.grids + self.buildings + self.units
        missing = len(self.grids_without) + len(self.buildings_without) + len(self.units_without)
        return round(100 * (total - missing) / total) if total else 100


def coverage(community: Region) -> Coverage:
    """Which grids, buildings and units of ``community`` have no serving chief — one query."""
    places = (Region.objects.filter(path__startswith=community.path, is_active=True,
                                    level__in=[RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT])
              .annotate(covered=Exists(Chief.objects.filter(region=OuterRef("pk"), ended_at__isnull=True)))
              .order_by("path"))
    by_level = defaultdict(list)
    totals = Counter()
    for place in places:
        totals[place.level] += 1
        if not place.covered:
            by_level[place.level].append(place)
    return Coverage(community, totals[RegionLevel.GRID], totals[RegionLevel.BUILDING], totals[RegionLevel.UNIT],
                    by_level[RegionLevel.GRID], by_level[RegionLevel.BUILDING], by_level[RegionLevel.UNIT])


# ---------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def place_point(region: Region) -> tuple[float, float] | None:
    """(lng, lat) of a place: the centre of the nearest boundary up the tree."""
    node = region
    while node is not None:
        if node.boundary:
            ring = node.boundary.get("coordinates")
            try:
                if node.boundary.get("type") == "MultiPolygon":
                    ring = ring[0]
                pts = ring[0]
                return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            except (TypeError, IndexError, ZeroDivisionError):
                return None
        node = Region.objects.get_parent(node)
    return None


# What a resource offers is a list of short words: split on spaces and the punctuation people
# type between words (、，,;；/|), compared case- and width-blind (ＡＢ = ab).
_OFFER_SEPARATORS = re.compile(r"[\s,，、;；/|。.]+")


def _folded(text: str) -> str:
    return half_width(text).casefold()


def offer_words(text: str) -> list[str]:
    """The words of a resource's ``offers``, in order, each once (“代买、米 面,油” → 代买 米 面 油)."""
    words: dict[str, str] = {}  # folded → as typed, the first spelling kept
    for word in _OFFER_SEPARATORS.split(half_width(text)):
        if word:
            words.setdefault(_folded(word), word)
    return list(words.values())


def offers_in(resource: Resource, text: str) -> list[str]:
    """The words of what ``resource`` offers that ``text`` (a need's description) contains."""
    folded = _folded(text)
    return [w for w in offer_words(resource.offers) if _folded(w) in folded]


@dataclass
class Proposal:
    resource: Resource
    distance_m: float | None
    tier_rank: int
    score: float
    matched: list[str] = field(default_factory=list)  # the words of its offers the need's text contains
    chosen: bool = False  # the resource the need is matched to


class Proposals(list):
    """The matcher's answer: the proposals, and ``by_words`` — whether they answer the need's
    words or only its class (no resource of the class offers anything the description names)."""

    def __init__(self, rows=(), by_words: bool = False):
        super().__init__(rows)
        self.by_words = by_words


def propose_resources(user, need: Need, *, limit: int = 8) -> Proposals:
    """匹配 — resources for ``need``: of its class, serving its place, and offering what its
    description asks for (“代买米面油” → the grain shop and the supermarket, not the barber); the
    tier of the chief who holds it first (unit → convenience, building → civic, grid → social),
    nearest first. Only when no resource of the class offers any word of the description are the
    resources of the class proposed as they are. The resource the need is matched to comes first,
    marked ``chosen``."""
    candidates = (resources_visible_to(user).filter(is_active=True, classes=need.need_class)
                  .filter(Q(area__path__in=_ancestor_paths(need.region)) | Q(area__path__startswith=need.region.path))
                  .distinct())
    here = place_point(need.region)
    kind = need.chief.kind if need.chief_id else None
    preferred = CHIEF_TIER.get(kind) if kind else None
    order = list(ResourceTier.values)
    rows = []
    for res in candidates:
        distance = None
        if here and res.longitude is not None:
            distance = haversine_m(here[0], here[1], res.longitude, res.latitude)
        # The chief's own tier first, then the tiers below it they may also link, then those of
        # the chiefs above (S4); within a rank, nearer first (no location: as if 5 km away).
        if preferred is None:
            rank = order.index(res.tier)
        elif res.tier == preferred:
            rank = 0
        elif order.index(res.tier) < order.index(preferred):
            rank = 1
        else:
            rank = 2
        km = distance / 1000.0 if distance is not None else 5.0
        rows.append(Proposal(res, distance, rank, rank * 10 + min(km, 9.99), offers_in(res, need.description),
                             chosen=res.pk == need.resource_id))
    by_words = any(p.matched for p in rows)
    if by_words:
        rows = [p for p in rows if p.matched or p.chosen]
    rows.sort(key=lambda p: (not p.chosen, p.score, p.resource.pk))
    return Proposals(rows[:limit], by_words)


# ---------------------------------------------------------------------------------------------
# Quarterly scores (the one place they are computed: preview and publication alike)
# ---------------------------------------------------------------------------------------------

FORMULA = gettext_lazy(
    "score = sum of the quarter's scores ÷ number of scores, rounded half up to 2 decimals; a chief's "
    "scores are the households' chief scores and the answers to “was it really fixed?”; a resource's are "
    "the service scores of its services; only targets with at least %(min)s scores are published.")


def formula_text(min_ratings: int) -> str:
    """The formula in the office's language (it is stored with the published quarter)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(FORMULA) % {"min": min_ratings}


def period_formula(period) -> str:
    """A reviewed quarter's formula in the reader's language. The quarter keeps the text it was
    reviewed with (a snapshot in the office's language); while that is still today's formula for
    its minimum, it is shown translated, else the snapshot as it was written."""
    if not period.formula or period.formula == formula_text(period.min_ratings):
        return str(FORMULA) % {"min": period.min_ratings}
    return period.formula


def quarter_bounds(year: int, quarter: int):
    import datetime as dt
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    start = dt.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
    end = dt.datetime(year + (quarter == 4), (3 * quarter) % 12 + 1, 1, tzinfo=tz)
    return start, end


def _two(total: int, n: int) -> Decimal:
    return (Decimal(total) / Decimal(n)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ScoreRow:
    target: str
    obj: object
    name: str
    ratings: int
    total: int
    score: Decimal

    def get_target_display(self) -> str:
        """As a published row (``PublishedScore``) says it: the page shows either."""
        return str(ScoreTarget(self.target).label)


def quarter_scores(subdistrict: Region, year: int, quarter: int, min_ratings: int) -> list[ScoreRow]:
    """Every target's score of the quarter (only those with ``min_ratings`` or more)."""
    start, end = quarter_bounds(year, quarter)
    ratings = Rating.objects.filter(rated_at__gte=start, rated_at__lt=end,
                                    service__region__path__startswith=subdistrict.path)
    rows: list[ScoreRow] = []
    for row in ratings.values("service").annotate(n=Count("pk"), s=Sum("service_score")):
        rows.append(("service", row["service"], row["n"], row["s"]))
    for row in ratings.values("resource").annotate(n=Count("pk"), s=Sum("service_score")):
        rows.append(("resource", row["resource"], row["n"], row["s"]))
    chief_n, chief_s = Counter(), Counter()
    for row in ratings.filter(chief_score__isnull=False).values("chief").annotate(n=Count("pk"), s=Sum("chief_score")):
        chief_n[row["chief"]] += row["n"]
        chief_s[row["chief"]] += row["s"]
    follow = FollowUp.objects.filter(answered_at__gte=start, answered_at__lt=end, chief__isnull=False,
                                     need__region__path__startswith=subdistrict.path)
    for row in follow.values("chief").annotate(n=Count("pk"), s=Sum("score")):
        chief_n[row["chief"]] += row["n"]
        chief_s[row["chief"]] += row["s"]
    rows += [("chief", pk, chief_n[pk], chief_s[pk]) for pk in chief_n]
    rows = [r for r in rows if r[2] >= min_ratings]
    objects = {
        "service": ServiceRecord.objects.in_bulk([r[1] for r in rows if r[0] == "service"]),
        "resource": Resource.objects.in_bulk([r[1] for r in rows if r[0] == "resource"]),
        "chief": Chief.objects.select_related("region").in_bulk([r[1] for r in rows if r[0] == "chief"]),
    }
    out = []
    for target, pk, n, s in rows:
        obj = objects[target][pk]
        if target == "chief":
            # Published on a public page: the chief's name masked, with their place.
            name = f"{obj.get_kind_display()} {mask_name(obj.name)} · {obj.region.name}"[:120]
        else:
            name = str(obj)[:120]
        out.append(ScoreRow(ScoreTarget(target), obj, name, n, s, _two(s, n)))
    out.sort(key=lambda r: (r.target, -r.score, r.name))
    return out


def published_periods():
    return RatingPeriod.objects.filter(status="published").select_related("subdistrict")


# ---------------------------------------------------------------------------------------------
# Figures (the dashboard tab)
# ---------------------------------------------------------------------------------------------


def figures(user) -> dict:
    needs = needs_visible_to(user).exclude(status=NeedStatus.MERGED)
    by_class = {}
    for row in needs.values("need_class__name", "source", "status").annotate(n=Count("pk")):
        entry = by_class.setdefault(row["need_class__name"], {"raised": 0, "met": 0, "by_source": Counter()})
        entry["raised"] += row["n"]
        entry["by_source"][row["source"]] += row["n"]
        if row["status"] not in NEED_PENDING:
            entry["met"] += row["n"]
    services = services_visible_to(user)
    by_tier = {r["tier"]: r["n"] for r in services.values("tier").annotate(n=Count("pk"))}
    by_service_class = {r["need_class__name"]: r["n"] for r in services.values("need_class__name").annotate(n=Count("pk"))}
    ratings = Rating.objects.filter(service__in=services.values("pk"))
    averages = ratings.aggregate(service=Avg("service_score"), chief=Avg("chief_score"), n=Count("pk"))
    communities = visible_communities(user)
    cover = [coverage(c) for c in communities[:20]]
    return {
        "needs_by_class": by_class,
        "needs_total": sum(e["raised"] for e in by_class.values()),
        "needs_met": sum(e["met"] for e in by_class.values()),
        "needs_by_source": dict(Counter(r["source"] for r in needs.values("source"))),
        "services_by_tier": by_tier,
        "services_by_class": by_service_class,
        "services_total": sum(by_tier.values()),
        "ratings": averages,
        "coverage": cover,
        "chiefs_by_kind": {r["kind"]: r["n"] for r in chiefs_visible_to(user).filter(ended_at__isnull=True)
                           .values("kind").annotate(n=Count("pk"))},
    }


def chief_kind_for(region: Region) -> str | None:
    for kind, level in CHIEF_LEVEL.items():
        if region.level == level:
            return kind
    return None

