"""Free-text search over cases (number, title, description, address) — 全文检索 — and the
count of a case list, the same rule for the web list and the API.

The lists show the newest cases first, so a search must find the newest cases holding the term,
page by page, with work that does not grow with the number of cases. On PostgreSQL it first
reads the ``PROBE_ROWS`` newest cases of the list (its filters and the user's scope applied,
through the ``submitted_at`` order) and tests their texts with LIKE — bounded work, whatever
the term:

* the term turns up often there (a common word: 井盖, 电梯故障, about one case in 30): each page
  walks the newest cases from its cursor with a LIKE per text and stops when full, after about
  page size ÷ frequency cases (a page of 50 at one in 30: 1,500);
* the list has no more cases than that (a grid's own list): the same walk, over at most those;
* otherwise the term is rare: one GIN index over the two-character pieces of each case's texts
  (migration 0008; most Chinese search words have two characters — 油烟, 井盖, 漏水 — too few
  for trigrams) names at most ``RARE_MATCHES`` cases, read by primary key. Its work grows with
  the term's matches, never with the cases that lack it. The probe decides before asking it:
  a GIN scan builds the bitmap of every match before any LIMIT, which for a common word is most
  of the table.

A term between the two (more matches in the whole table than ``RARE_MATCHES`` — or, judged from
the probe, more than four times that, when the index is not even asked — but fewer than one in
``PROBE_ROWS / COMMON_HITS`` among the newest) is walked: a page then costs page size ÷
frequency rows — independent of the table's size, but the slowest band; the list's time budget
(``within_budget``) stops it. One character reads the newest cases the same way.

On SQLite ``icontains`` does it all. Every path gives the same answer: the case's number is the
term, or its title, description or address contains it, in any case.

Counts (``count_list``): exact up to ``COUNT_CAP``; past it "more than ``COUNT_CAP``" — the web
list writes "1,000+", the API answers ``"count": 1000, "count_exact": false``. A common word in a
large list is judged past the cap from the probe without counting (the probe's lower bound of
its frequency times the planner's size of the list); anything else is counted up to the cap —
within ``COUNT_BUDGET_MS`` where counting may read long — and a count that runs out of time is
unknown (the web list: "many"; the API: the cap, not exact)."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

from django.db import OperationalError, connections
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, QuerySet

from wangge.core.pgsettings import local_settings
from wangge.residents.masking import half_width

TEXT_COLUMNS = ("title", "description", "address")
# The newest cases of a list a search tests before choosing how to find the rest, and how many
# of them must hold the term for it to count as common (one in 40: a page of 50 then walks
# about 2,000 cases).
PROBE_ROWS = 2000
COMMON_HITS = 50
# A first look at fewer: a word not among them goes to the index without the full probe.
QUICK_PROBE_ROWS = 250
PROBE_BUDGET_MS = 25
# At most this many matches in the whole table are read through the bigram index.
RARE_MATCHES = 2000
# A list's count stops at COUNT_CAP, and gives up after COUNT_BUDGET_MS; its page after
# ROWS_BUDGET_MS (PostgreSQL server time), when the page asks to narrow the list down.
COUNT_CAP = 1000
COUNT_BUDGET_MS = 60
ROWS_BUDGET_MS = 3000


class HasBigrams(Func):
    """Every two-character piece of ``term`` (any case) occurs in the title, description or
    address: ``wangge_case_bigrams(title, description, address) @> ARRAY[UPPER(piece), …]``,
    which the GIN index of migration 0008 answers. For a two-character term that is the search
    itself. PostgreSQL."""

    output_field = BooleanField()

    def __init__(self, term: str):
        super().__init__(*(F(column) for column in TEXT_COLUMNS))
        self.pieces = sorted({term[i:i + 2] for i in range(len(term) - 1)})

    def as_sql(self, compiler, connection, **extra):
        columns, params = [], []
        for expression in self.get_source_expressions():
            sql, column_params = compiler.compile(expression)
            columns.append(f"{sql}::text")
            params.extend(column_params)
        pieces = ", ".join(["UPPER(%s::text)"] * len(self.pieces))
        return f"wangge_case_bigrams({', '.join(columns)}) @> ARRAY[{pieces}]", (*params, *self.pieces)


class Contains(Func):
    """``column LIKE '%term%'``, ``ILIKE`` when the term has letters with a case (ILIKE folds
    every row's text: four times slower on Chinese, which has no case to fold). PostgreSQL."""

    output_field = BooleanField()

    def __init__(self, column: str, term: str):
        super().__init__(F(column))
        self.term = term

    def as_sql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.get_source_expressions()[0])
        like = "ILIKE" if self.term.upper() != self.term.lower() else "LIKE"
        return (f"{column_sql}::text {like} %s",
                (*params, f"%{connection.ops.prep_for_like_query(self.term)}%"))


def _number_q(term: str) -> Q:
    # Numbers are upper case (WG20261124-00001): compared upper-cased, on the unique index; one
    # typed in full width (ＷＧ２０２６…, a Chinese input method) is the same number.
    return Q(number=half_width(term).upper())


def contains_q(term: str) -> Q:
    """The search as a plain condition, for databases other than PostgreSQL."""
    q = _number_q(term)
    for column in TEXT_COLUMNS:
        q |= Q(**{f"{column}__icontains": term})
    return q


def _texts_contain_q(term: str) -> Q:
    q = Q()
    for column in TEXT_COLUMNS:
        q |= Q(Contains(column, term))
    return q


def walk_q(term: str) -> Q:
    """The search tested case by case, for a common or one-character term (PostgreSQL)."""
    return _number_q(term) | _texts_contain_q(term)


def indexed_q(term: str) -> Q:
    """The same through the bigram index, for a term of two characters or more (PostgreSQL)."""
    found = Q(HasBigrams(term))
    if len(term) > 2:
        found &= _texts_contain_q(term)
    return _number_q(term) | found


@dataclass(frozen=True)
class SearchPlan:
    """How a search on PostgreSQL finds its cases, from the probe of the list's newest cases.

    ``way`` is "walk" (test the newest cases one by one) or "ids" (the bigram index named them
    all: ``ids``). ``hits`` of the ``probed`` newest cases held the term; ``whole`` says the
    probe read the whole list; ``listed`` is the planner's size of the list without the search
    (for a common word's count). Kept on the query (``query.text_search``), where the count reads
    it — plain values, so that a query pickles without reading anything."""

    term: str
    way: str
    hits: int
    probed: int
    whole: bool
    listed: int = 0
    ids: tuple[int, ...] | None = None


def _probe(queryset: QuerySet, term: str, rows: int | None = None, enough: int | None = None
           ) -> tuple[int, int, bool]:
    """(hits, probed, whole): of the ``probed`` newest cases of the list, ``hits`` hold ``term``;
    ``whole``: they are all its cases. Reads at most ``rows`` (``PROBE_ROWS``) cases, and stops
    at the ``enough``-th hit (``COMMON_HITS``: a common word, that is enough to know)."""
    rows = PROBE_ROWS if rows is None else rows
    enough = COMMON_HITS if enough is None else enough
    newest = (queryset.order_by("-submitted_at", "-pk")
              .annotate(search_hit=ExpressionWrapper(walk_q(term), output_field=BooleanField()))
              .values("search_hit")[:rows])
    sql, params = newest.query.sql_with_params()
    # Numbered in the walk's order (no sort: the rows come in it); the row numbered ``rows``
    # says the probe read that many, a hit or not.
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT search_hit, n FROM (SELECT search_hit, row_number() OVER () AS n "
            f"FROM ({sql}) AS newest) AS numbered WHERE search_hit OR n = %s LIMIT %s",
            (*params, rows, enough))
        found = cursor.fetchall()
    hits = sum(1 for hit, _n in found if hit)
    if hits >= enough:
        return hits, found[-1][1], False
    if found and found[-1][1] == rows:
        return hits, rows, False
    with connections[queryset.db].cursor() as cursor:  # a short list: how short
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS newest", params)
        return hits, cursor.fetchone()[0], True


def _table_rows(queryset: QuerySet) -> float:
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
        row = cursor.fetchone()
    return max(row[0], 0) if row else 0


def _fewest(hits: int) -> float:
    """A cautious lower bound of a rate of which ``hits`` were seen (two standard deviations)."""
    return max(0.0, hits - 2 * math.sqrt(hits))


def plan_search(queryset: QuerySet, term: str) -> SearchPlan:
    """Choose how to find ``term`` in ``queryset`` (PostgreSQL), reading a bounded number of cases."""
    def budget(ms, compute):
        return within_budget(ms, compute, using=queryset.db)
    # Each probe within a time budget: a list of a small territory is spread thin over the
    # newest cases of all (a community's: one in 24), and finding its newest costs more. A
    # probe out of time has seen nothing.
    unseen = (0, 0, False)
    if len(term) >= 2:
        # Not once among the newest few hundred (the first hit of a common word comes within a
        # few dozen): most likely rare, so ask the index straight away.
        hits, probed, whole = budget(PROBE_BUDGET_MS, lambda: _probe(queryset, term, rows=QUICK_PROBE_ROWS,
                                                                    enough=1)) or unseen
        if not hits and not whole:
            ids = _indexed_ids(queryset, term)
            if ids is not None:
                return SearchPlan(term=term, way="ids", hits=0, probed=probed, whole=False, ids=ids)
    hits, probed, whole = budget(PROBE_BUDGET_MS, lambda: _probe(queryset, term)) or unseen
    plan = SearchPlan(term=term, way="walk", hits=hits, probed=probed, whole=whole)
    if hits and not whole:
        plan = dataclasses.replace(plan, listed=max(_planned_rows(queryset), probed))
    if plan.whole or hits >= COMMON_HITS or len(term) < 2 or not probed:
        return plan
    # The probe's share of the term, over the whole table, says what the index would read: past
    # a few times RARE_MATCHES its bitmap costs more than the walk it would save.
    if _fewest(hits) / probed * _table_rows(queryset) > 4 * RARE_MATCHES:
        return plan
    ids = _indexed_ids(queryset, term)
    if ids is None:
        return plan
    return SearchPlan(term=term, way="ids", hits=hits, probed=probed, whole=False, ids=ids)


def _indexed_ids(queryset: QuerySet, term: str) -> tuple[int, ...] | None:
    """The cases of the whole table the bigram index finds for ``term``, or None for more than
    ``RARE_MATCHES``."""
    ids = list(queryset.model._base_manager.using(queryset.db).order_by().filter(indexed_q(term))
               .values_list("pk", flat=True)[:RARE_MATCHES + 1])
    return None if len(ids) > RARE_MATCHES else tuple(ids)


def search_cases(queryset: QuerySet, term: str) -> QuerySet:
    """``queryset`` narrowed to the cases the search term ``term`` finds (blank: unchanged)."""
    term = (term or "").strip()
    if not term:
        return queryset
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(contains_q(term))
    plan = plan_search(queryset, term)
    found = queryset.filter(pk__in=plan.ids) if plan.way == "ids" else queryset.filter(walk_q(term))
    # A Query's attributes survive its clones (select_related, annotate, order_by …).
    found.query.text_search = plan
    return found


# --------------------------------------------------------------------------------------------
# Counting a list
# --------------------------------------------------------------------------------------------


def within_budget(ms: int, compute, *, using: str = "default"):
    """``compute()`` under a PostgreSQL statement timeout; None if it ran out of time.

    Without parallel workers too: a page is a LIMITed walk of the newest cases, which one
    process finishes after a few hundred rows, while merged parallel workers each read ahead
    thousands (10× slower at a million cases for a common search word). And without JIT: the
    planner prices such a walk as if it read every match (an OFFSET page of the API: 250,000),
    and compiling it then costs more (70 ms) than the walk it speeds up."""
    if connections[using].vendor != "postgresql":
        return compute()
    try:
        with local_settings(using, statement_timeout=str(int(ms)), max_parallel_workers_per_gather="0", jit="off"):
            return compute()
    except OperationalError:
        return None


@dataclass(frozen=True)
class ListCount:
    """How many cases a list holds: ``value`` exactly, or more than ``value`` (``exact`` false;
    ``value`` is then the cap), or unknown (``value`` None: the count ran out of time)."""

    value: int | None
    exact: bool

    @property
    def capped(self) -> bool:
        return self.value is not None and not self.exact


def _planned_rows(queryset: QuerySet) -> int:
    """The planner's estimate of the rows of ``queryset``: statistics only, no rows read."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def may_read_long(queryset: QuerySet) -> bool:
    """Does finding the cases of ``queryset`` walk a long list testing texts (a search that is
    neither answered by the index nor over a short list)? Its page and its count then run within
    a time budget; other lists read what their indexes name."""
    plan = getattr(queryset.query, "text_search", None)
    return plan is not None and plan.way == "walk" and not plan.whole


def count_list(queryset: QuerySet, *, cap: int | None = None, budget_ms: int | None = None,
               budget=None) -> ListCount:
    """The count of a case list, the one rule of the web list and the API (module docstring).
    ``budget``: run the count under it (``within_budget``); by default only a count that may
    read long (``may_read_long``) is."""
    cap = COUNT_CAP if cap is None else cap
    budget_ms = COUNT_BUDGET_MS if budget_ms is None else budget_ms
    if budget is None:
        budget = within_budget if may_read_long(queryset) else (lambda ms, compute: compute())
    plan = getattr(queryset.query, "text_search", None)
    if plan is not None and plan.way == "walk" and not plan.whole and plan.hits:
        # A common word: its frequency among the newest cases (cautiously low) times the size of
        # the list without it. Past the cap with room to spare: no need to count.
        judged = _fewest(plan.hits) / plan.probed * plan.listed
        if judged > 2 * cap:
            return ListCount(cap, exact=False)
    counted = budget(budget_ms, lambda: queryset.order_by().values("pk")[: cap + 1].count())
    if counted is None:
        return ListCount(None, exact=False)
    return ListCount(cap, exact=False) if counted > cap else ListCount(counted, exact=True)
