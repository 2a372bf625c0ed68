"""This app's API against its own OpenAPI schema, fuzzed (schemathesis) as the sub-district's
leader (who reaches everything here): bad input is a documented 4xx in the error format, never a
5xx, and every answer matches the schema. Bounded and derandomized like the core's fuzz test."""

from __future__ import annotations

import os

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

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("WANGGE_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def keep_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_neighbourhood_api_never_answers_5xx_and_matches_its_schema(hood, keep_connection):
    from wangge.org.services import issue_api_token

    _token, key = issue_api_token(user=hood.leader, name="fuzz", days=1)
    headers = {"Authorization": f"Token {key}", "Accept-Language": "zh-hans"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=headers)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/api/v1/neighbourhood/")]
    assert len(operations) >= 18
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                with transaction.atomic():
                    case.call_and_validate(headers=headers, checks=CHECKS)
                    transaction.set_rollback(True)

            try:
                run()
            except Unsatisfiable:
                if mode is not GenerationMode.NEGATIVE:
                    failures.append(f"{operation.label} [{mode.value}]: unsatisfiable")
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — one report for them all
                failures.append(f"{operation.label} [{mode.value}]\n{error}")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
