"""Fuzzing the API against its own OpenAPI schema (schemathesis), shared by the whole-API test
(``wangge/web/tests/test_api_fuzz.py``) and the apps' own (``neighbourhood``): the checks, the
fixture that keeps the test's transaction open, and the loop over operations and modes.

Bounded so that it runs in ``make test`` on both databases: a fixed number of examples per
operation, derandomized (the same examples every run, so a failure reproduces), no shrinking (a
failure prints the request as a curl command, which is what one needs to reproduce it)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Not negative_data_rejection: a boolean query flag given as "16208" is still read leniently
# (include_inactive, is_active, unread); numbers, dates and bodies are checked.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_connection():
    """The app is called through the real WSGI handler, whose request signals would close the
    database connection — and with it this test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def served_operations(headers: dict, *, path_prefix: str = "") -> list:
    """The operations of the schema the app serves (under ``path_prefix``), the app called
    in-process: inside the calling test's transaction (with ``keep_connection``)."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in operations if operation.path.startswith(path_prefix)]


def fuzz_failures(operations, headers: dict, *, max_examples: int) -> list[str]:
    """Every operation with valid and with invalid input, ``max_examples`` each; one report per
    operation and mode that failed a check (or for which no valid input could be made)."""
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers, max_examples)
            except Unsatisfiable:
                # No invalid value exists for this operation (a path parameter any string satisfies).
                if mode is not GenerationMode.NEGATIVE:
                    failures.append(f"{operation.label} [{mode.value}]: unsatisfiable")
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — one report for them all
                failures.append(f"{operation.label} [{mode.value}]\n{error}")
    return failures


def _fuzz(operation, mode: GenerationMode, headers: dict, max_examples: int) -> None:
    # schemathesis' own pytest integration (schema.parametrize) needs pytest internals that
    # pytest 9 no longer has; one Hypothesis test per operation and mode does the same.
    @settings(max_examples=max_examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        # Each example in a savepoint rolled back after it: examples stay independent (the same
        # answers in any order), and a database error in one cannot poison the next.
        with transaction.atomic():
            case.call_and_validate(headers=headers, checks=CHECKS)
            transaction.set_rollback(True)

    run()
