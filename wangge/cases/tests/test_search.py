"""Free-text search of the case list: the same answers on SQLite and PostgreSQL for terms of
every length — above all two-character Chinese words (油烟, 井盖), which on PostgreSQL must be
answered from an index, not by reading every case."""

from __future__ import annotations

import pytest
from django.db import connection

from wangge.cases import search
from wangge.cases.models import Case
from wangge.cases.search import search_cases
from wangge.testing import file_case


@pytest.fixture
def texts(world):
    return {
        "fumes": file_case(world, title="餐馆油烟扰民", description="楼下餐馆排油烟，晚上味道很大", address="和平路8号"),
        "manhole": file_case(world, title="井盖缺失", description="路口井盖不见了，很危险", address="解放路口"),
        "address_only": file_case(world, title="路灯不亮", description="整条路晚上黑", address="油坊胡同3号"),
        "latin": file_case(world, title="ATM旁有积水", description="Water on the road", address="人民路"),
        "plain": file_case(world, title="垃圾未清运", description="三天没人收垃圾", address="幸福里"),
    }


def found(texts, term):
    got = set(search_cases(Case.objects.all(), term).values_list("pk", flat=True))
    return {name for name, case in texts.items() if case.pk in got}


@pytest.mark.parametrize("term, expected", [
    ("油烟", {"fumes"}),                      # title and description
    ("井盖", {"manhole"}),
    ("油坊", {"address_only"}),               # only the address has it
    ("路口", {"manhole"}),                     # description and address
    ("atm", {"latin"}),                        # any case
    ("AT", {"latin"}),
    ("wa", {"latin"}),
    ("餐馆油烟", {"fumes"}),                   # longer terms: the pieces, then LIKE
    ("路口井盖缺失", set()),                   # every piece is there, but not together
    ("失路", set()),                           # across the end of the title and the description
    ("油", {"fumes", "address_only"}),         # one character: no index, same answer
    ("盖缺", {"manhole"}),
    ("缺井", set()),                           # the characters, but not in that order
    ("%", set()),                              # LIKE wildcards are plain characters
    ("_a", set()),
    ("  ", {"fumes", "manhole", "address_only", "latin", "plain"}),  # blank: no filter
])
def test_search_finds_the_cases_that_contain_the_term(texts, term, expected):
    assert found(texts, term) == expected


def test_search_by_case_number(texts):
    number = texts["plain"].number
    assert found(texts, number) == {"plain"}
    assert found(texts, number.lower()) == {"plain"}
    # Typed by a Chinese input method in full width (ＷＧ２０２６…): the same number.
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in number)
    assert full_width != number and found(texts, full_width) == {"plain"}


def test_a_common_word_gives_the_same_answer(texts, monkeypatch):
    """More matches than the rare-word read takes: the search walks the cases instead."""
    monkeypatch.setattr(search, "RARE_MATCHES", 0)
    assert found(texts, "路口") == {"manhole"}
    assert found(texts, "晚上") == {"fumes", "address_only"}
    assert found(texts, "wA") == {"latin"}  # letters with a case: any case
    assert found(texts, "缺井") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
@pytest.mark.parametrize("term", ["油烟", "餐馆油烟", "AT"])
def test_text_search_reads_the_bigram_index_on_postgresql(texts, term):
    """With sequential scans priced out, the texts are read through the bigram index and the
    number through its unique index — so a rare word does not read every case."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Case.objects.order_by().filter(search.indexed_q(term)).only("pk").explain()
    assert "case_text_bigram" in plan, plan
    assert "cases_case_number" in plan, plan
