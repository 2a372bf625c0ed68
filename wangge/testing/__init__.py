"""Test helpers for every app: the territory, staff and case factories (``factories``) and the
core-only image helpers (``wangge.core.testing``), importable from one place::

    from wangge.testing import build_world, case_in_state, file_case, make_category, png

The names are loaded on first use (PEP 562), so that a test-only app living under this package
(``wangge.testing.plugin``) can be installed before the models are ready.
"""

from importlib import import_module

_SOURCES = {
    "png": "wangge.core.testing",
    "png_bytes": "wangge.core.testing",
    "stored_media": "wangge.core.testing",
    "run_in_threads": "wangge.testing.concurrency",
    **{name: "wangge.testing.factories" for name in (
        "CELL", "LAT0", "LNG0", "World", "add_region", "add_subdistrict", "build_world", "calls_from", "case_in_state",
        "file_case", "make_category", "make_user", "square", "report_in_all", "close_after_revisit",
    )},
}

__all__ = sorted(_SOURCES)


def __getattr__(name: str):
    try:
        module = _SOURCES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_SOURCES})
