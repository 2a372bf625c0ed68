"""This app's API against its own OpenAPI schema, fuzzed (schemathesis) as the sub-district's
leader (who reaches everything here): bad input is a documented 4xx in the error format, never a
5xx, and every answer matches the schema. Bounded and derandomized like the core's fuzz test."""

from __future__ import annotations

import os

from wangge.testing.apifuzz import fuzz_failures, keep_connection, served_operations  # noqa: F401 — a fixture

MAX_EXAMPLES = int(os.environ.get("WANGGE_FUZZ_EXAMPLES", "8"))


def test_the_neighbourhood_api_never_answers_5xx_and_matches_its_schema(hood, keep_connection):
    from wangge.org.services import issue_api_token

    _token, key = issue_api_token(user=hood.leader, name="fuzz", days=1)
    headers = {"Authorization": f"Token {key}", "Accept-Language": "zh-hans"}
    operations = served_operations(headers, path_prefix="/api/v1/neighbourhood/")
    assert len(operations) >= 18
    failures = fuzz_failures(operations, headers, max_examples=MAX_EXAMPLES)
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
