"""Free-text search over cases (number, title, description, address) — 全文检索.

On PostgreSQL a term of two characters or more is answered from one GIN index over the
two-character pieces of each case's texts (migration 0008; most Chinese search words have two
characters — 油烟, 井盖, 漏水 — too few for trigrams). The planner cannot tell from that index
how many cases a term finds, so the search asks it first for at most ``RARE_MATCHES`` cases
(each checked with LIKE: the pieces of a longer term can occur apart). A rare term's cases are
then read by primary key; a common term (more than that) is found by walking the newest cases,
among which it turns up within a few hundred, with a LIKE per text. One character reads every
case in scope.

On SQLite ``icontains`` does it all. Every path gives the same answer: the case's number is the
term, or its title, description or address contains it, in any case."""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet

TEXT_COLUMNS = ("title", "description", "address")
RARE_MATCHES = 2000


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
    # Numbers are upper case (WG20261124-00001): compared upper-cased, on the unique index.
    return Q(number=term.upper())


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


def search_cases(queryset: QuerySet, term: str) -> QuerySet:
    """``queryset`` narrowed to the cases the search term ``term`` finds (blank: unchanged)."""
    term = (term or "").strip()
    if not term:
        return queryset
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(contains_q(term))
    if len(term) >= 2:
        ids = list(queryset.model._base_manager.using(queryset.db).order_by().filter(indexed_q(term))
                   .values_list("pk", flat=True)[:RARE_MATCHES + 1])
        if len(ids) <= RARE_MATCHES:
            return queryset.filter(pk__in=ids)
    return queryset.filter(walk_q(term))
