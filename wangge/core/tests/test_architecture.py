"""Imports run downward only (STYLE): ``core`` ← ``org``, ``workdays`` ← ``cases`` ← the apps.

This scans the source with ``ast`` (every ``import``, at module level or inside a function,
relative ones resolved) and names each offending file:line:
- ``wangge/core`` imports nothing from another ``wangge`` package;
- the lower layers (``org``, ``workdays``) import neither ``cases`` nor the apps built on it.

Tests are not scanned (a test of org may file a case to see it on a map); migrations are.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the wangge package

# Package (under wangge/) → the wangge packages it must not import; "*" = every one but itself.
FORBIDDEN = {
    "core": "*",
    "org": {"cases", "web", "portal", "dashboard", "demo"},
    "workdays": {"cases", "web", "portal", "dashboard", "demo"},
}


def imported_modules(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of each module ``filename`` (a path relative to the directory
    above ``wangge``) imports."""
    # The package a relative import starts from: the module's own (or, for __init__, itself).
    package = filename.removesuffix(".py").split("/")[:-1]
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.count(".") >= 1:
                found.append((node.lineno, module))
            else:  # ``from wangge import cases`` / ``from .. import cases``: the package is the alias
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def find_violations(source: str, filename: str) -> list[str]:
    """The forbidden imports of ``filename`` (``wangge/<package>/…``)."""
    parts = filename.split("/")
    if len(parts) < 3 or parts[0] != "wangge" or parts[1] not in FORBIDDEN:
        return []
    own, forbidden = parts[1], FORBIDDEN[parts[1]]
    problems = []
    for line, module in imported_modules(source, filename):
        names = module.split(".")
        if len(names) < 2 or names[0] != "wangge" or names[1] == own:
            continue
        target = names[1]
        if forbidden == "*" or target in forbidden:
            problems.append(f"{filename}:{line}: wangge.{own} imports {module}")
    return problems


def source_files():
    for package in FORBIDDEN:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            yield path


def test_imports_point_inward():
    problems = []
    for path in source_files():
        problems += find_violations(path.read_text(encoding="utf-8"), path.relative_to(ROOT.parent).as_posix())
    assert not problems, "Imports against the layers (core ← org, workdays ← cases ← apps):\n" + "\n".join(problems)


def test_the_scan_covers_the_lower_layers():
    scanned = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert {"core/api.py", "core/testing.py", "org/scope.py", "org/api/serializers.py",
            "workdays/services.py"} <= scanned
    assert not any("/tests/" in p for p in scanned)


@pytest.mark.parametrize(
    ("filename", "snippet"),
    [
        ("wangge/core/api.py", "from wangge.cases.errors import CaseError"),
        ("wangge/core/api.py", "import wangge.org.models"),
        ("wangge/core/api.py", "from wangge import cases"),
        ("wangge/core/api.py", "from ..org.models import Region"),
        ("wangge/core/api.py", "from .. import notifications"),
        ("wangge/core/testing.py", "def f():\n    from wangge.cases.models import Category"),
        ("wangge/core/management/commands/x.py", "from wangge.dashboard.tasks import schedule_refresh"),
        ("wangge/org/api/serializers.py", "from wangge.cases import permissions"),
        ("wangge/org/api/serializers.py", "from ...cases.permissions import can_file_cases"),
        ("wangge/org/__init__.py", "from ..web import views"),
        ("wangge/workdays/services.py", "def f():\n    from wangge.cases.tasks import recompute"),
        ("wangge/workdays/admin.py", "import wangge.demo.loader"),
    ],
)
def test_the_scanner_catches_each_pattern(filename, snippet):
    assert find_violations(snippet, filename), snippet


@pytest.mark.parametrize(
    ("filename", "snippet"),
    [
        ("wangge/core/api.py", "from wangge.core.errors import DomainError"),
        ("wangge/core/api.py", "from .errors import DomainError"),
        ("wangge/core/management/commands/x.py", "from ...periodic import periodic_jobs"),
        ("wangge/core/api.py", "from rest_framework import exceptions"),
        ("wangge/org/scope.py", "from wangge.core.errors import NotFound"),
        ("wangge/org/api/views.py", "from .. import geo"),
        ("wangge/org/api/views.py", "from ..models import Region"),
        ("wangge/workdays/services.py", "from wangge.org.models import User"),
        ("wangge/workdays/services.py", "from .signals import calendar_year_loaded"),
        ("wangge/cases/apps.py", "from wangge.workdays.signals import calendar_year_loaded"),
    ],
)
def test_the_scanner_leaves_allowed_imports_alone(filename, snippet):
    assert find_violations(snippet, filename) == []
