"""STYLE rule 1: a case's state changes only in ``wangge/cases/actions.py``.

Every other module (views, API, admin, tasks, imports, demo data) calls an action. This scans the
source with ``ast`` and names each offending file:line:
- ``<something case>.save(...)`` — saving a case object;
- ``Case.objects....update(...)`` / ``.bulk_update(...)`` (an update that only touches the
  bookkeeping ``updated_at`` is not a state change and is allowed);
- assigning ``<something case>.status = ...`` (or ``setattr(case, "status", ...)``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the wangge package
ALLOWED = {ROOT / "cases" / "actions.py"}
ALLOWED_PACKAGE = ROOT / "cases" / "actions"  # the actions, split by stage (STYLE: like zerver/actions/)
CASE_NAME = re.compile(r"(^|_)case(s)?$|^case_|_case_", re.IGNORECASE)
BOOKKEEPING = {"updated_at"}


def _names_a_case(node: ast.AST) -> bool:
    """``case``, ``self.case``, ``old_case``, ``duplicate_case``…"""
    if isinstance(node, ast.Name):
        return bool(CASE_NAME.search(node.id))
    if isinstance(node, ast.Attribute):
        return bool(CASE_NAME.search(node.attr))
    return False


def _chain_starts_with_case_manager(node: ast.AST) -> bool:
    """``Case.objects.filter(...).exclude(...)`` and similar chains."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects" and isinstance(node.value, ast.Name) and node.value.id == "Case":
                return True
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return False


def find_violations(source: str, filename: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            if method == "save" and _names_a_case(receiver):
                problems.append(f"{filename}:{node.lineno}: saves a case; call an action instead")
            if method in ("update", "bulk_update") and _chain_starts_with_case_manager(receiver):
                fields = {kw.arg for kw in node.keywords}
                if method == "bulk_update" or not fields <= BOOKKEEPING:
                    problems.append(f"{filename}:{node.lineno}: Case.objects…{method}(); call an action instead")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                and len(node.args) >= 2 and _names_a_case(node.args[0])
                and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status"):
            problems.append(f"{filename}:{node.lineno}: sets a case's status; call an action instead")
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr == "status" and _names_a_case(element.value):
                    problems.append(f"{filename}:{node.lineno}: sets a case's status; call an action instead")
    return problems


def source_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if path in ALLOWED or ALLOWED_PACKAGE in path.parents or "migrations" in parts or "tests" in parts:
            continue
        yield path


def test_no_module_outside_actions_changes_a_case():
    problems = []
    for path in source_files():
        problems += find_violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT.parent)))
    assert not problems, "State changes outside wangge/cases/actions.py:\n" + "\n".join(problems)


def test_the_scan_covers_the_code_base():
    scanned = {str(p.relative_to(ROOT)) for p in source_files()}
    assert {"cases/tasks.py", "cases/selectors.py", "org/geo.py"} <= scanned
    assert "cases/actions.py" not in scanned and not any(p.startswith("cases/actions/") for p in scanned)


@pytest.mark.parametrize(
    "snippet",
    [
        "case.save()",
        "self.case.save(update_fields=['status'])",
        "old_case.save()",
        "Case.objects.filter(pk=1).update(status='closed')",
        "Case.objects.all().update(light='red', updated_at=now)",
        "Case.objects.bulk_update(cases, ['status'])",
        "case.status = CaseStatus.CLOSED",
        "case.status, case.closed_at = 'closed', now",
        "setattr(case, 'status', 'closed')",
    ],
)
def test_the_scanner_catches_each_pattern(snippet):
    assert find_violations(snippet, "x.py"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "request.save()",
        "form.save()",
        "Case.objects.filter(pk__in=ids).update(updated_at=now)",
        "Notification.objects.filter(case=case).update(read_at=now)",
        "task.status = 'done'",
        "showcase.save()",
    ],
)
def test_the_scanner_leaves_other_writes_alone(snippet):
    assert find_violations(snippet, "x.py") == []
