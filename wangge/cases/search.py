"""Free-text search over cases (number, title, description, address) — 全文检索.

Every term length is answered from an index on PostgreSQL:

- three characters or more: the pg_trgm GIN indexes of migration 0007 (``icontains`` compiles
  to the ``UPPER(col) LIKE UPPER('%…%')`` they index);
- two characters (most Chinese search words: 油烟, 井盖, 漏水 — no trigram in them): the
  bigram GIN indexes of migration 0008. The planner cannot tell a rare pair from a common
  one there, so the search asks the index first for at most ``RARE_MATCHES`` cases: a rare
  word's cases are then read by primary key; a common word (more than that) is found by
  walking the newest cases, where it turns up within a few hundred. That walk tests
  ``col LIKE '%…%'``, not the ``UPPER(col) LIKE`` the trigram index would claim and answer by
  reading the whole index (no trigram in two characters);
- one character reads every case in scope.

On SQLite ``icontains`` does it all. Every path gives the same answer: the case's number is the
term, or its title, description or address contains it, in any case."""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet

TEXT_COLUMNS = ("title", "description", "address")
RARE_MATCHES = 2000


class _TextTest(Func):
    """A test of one text column against the search term; subclasses give the SQL."""

    output_field = BooleanField()

    def __init__(self, column: str, term: str):
        super().__init__(F(column))
        self.term = term

    def as_sql(self, compiler, connection, **extra):
        column_sql, column_params = compiler.compile(self.get_source_expressions()[0])
        sql, params = self.test(f"{column_sql}::text", connection)
        return sql, (*column_params, *params)

    def test(self, column_sql: str, connection) -> tuple[str, tuple]:
        raise NotImplementedError


class ContainsBigram(_TextTest):
    """The column contains the two-character term (any case): one of its pieces is the term,
    ``wangge_bigrams(column) @> ARRAY[UPPER(term)]``, which its GIN index answers. PostgreSQL."""

    def test(self, column_sql, connection):
        return f"wangge_bigrams({column_sql}) @> ARRAY[UPPER(%s::text)]", (self.term,)


class Contains(_TextTest):
    """``column LIKE '%term%'`` — ``icontains`` in a form no index claims. ``ILIKE`` when the
    term has letters with a case (ILIKE folds every row's text: four times slower on Chinese,
    which has no case to fold). PostgreSQL."""

    def test(self, column_sql, connection):
        like = "ILIKE" if self.term.upper() != self.term.lower() else "LIKE"
        return f"{column_sql} {like} %s", (f"%{connection.ops.prep_for_like_query(self.term)}%",)


def _number_q(term: str) -> Q:
    # Numbers are upper case (WG20261124-00001): compared upper-cased, on the unique index.
    return Q(number=term.upper())


def contains_q(term: str) -> Q:
    """The search as a plain condition (any database, any term length)."""
    q = _number_q(term)
    for column in TEXT_COLUMNS:
        q |= Q(**{f"{column}__icontains": term})
    return q


def bigram_q(term: str) -> Q:
    """The same for a two-character term, through the bigram indexes (PostgreSQL)."""
    q = _number_q(term)
    for column in TEXT_COLUMNS:
        q |= Q(ContainsBigram(column, term))
    return q


def walk_q(term: str) -> Q:
    """The same for a common two-character term, tested case by case (PostgreSQL)."""
    q = _number_q(term)
    for column in TEXT_COLUMNS:
        q |= Q(Contains(column, term))
    return q


def search_cases(queryset: QuerySet, term: str) -> QuerySet:
    """``queryset`` narrowed to the cases the search term ``term`` finds (blank: unchanged)."""
    term = (term or "").strip()
    if not term:
        return queryset
    if len(term) == 2 and connections[queryset.db].vendor == "postgresql":
        ids = list(queryset.model._base_manager.using(queryset.db).order_by().filter(bigram_q(term))
                   .values_list("pk", flat=True)[:RARE_MATCHES + 1])
        return queryset.filter(pk__in=ids) if len(ids) <= RARE_MATCHES else queryset.filter(walk_q(term))
    return queryset.filter(contains_q(term))
