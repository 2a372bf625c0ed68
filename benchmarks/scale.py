"""The scale knob of the case-table benches: ``WANGGE_BENCH_CASES`` (默认 1,000,000).

One size (``1000000``) or several, comma-separated (``1000000,8000000``): ``make bench`` then
measures the dashboard, list, search and rollup figures at each size in turn — the bench database
is topped up between them, never rebuilt — and prints each figure at every size with its growth
(last ÷ first). A bench module run alone uses the first size."""

from __future__ import annotations

import os


def case_sizes() -> list[int]:
    """The sizes asked for, ascending, without repeats; 1,000,000 by default."""
    raw = os.environ.get("WANGGE_BENCH_CASES", "") or "1000000"
    sizes = sorted({int(part.replace("_", "").strip()) for part in raw.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise SystemExit(f"WANGGE_BENCH_CASES={raw!r}: give one or more positive counts, e.g. 1000000,8000000")
    return sizes
