"""An API endpoint that takes no body refuses one (400 ``unknown_field``) instead of ignoring it:
a caller who sends ``{"note": …}`` to 签发纪要 would believe the note was kept. The endpoints are
read from the API's own schema, so a new one is held to the rule as it is added."""

from __future__ import annotations

import re

from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from wangge.cases.models import ReporterAccessLog
from wangge.testing import file_case

CASE_NUMBER = "WG20990101-00001"  # path parameters: a case number, any other one an id


def _bodyless_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method, path) for path, methods in schema["paths"].items() for method, operation in methods.items()
            if method in ("post", "put", "patch") and "requestBody" not in operation]


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: CASE_NUMBER if m.group(1) == "number" else "999999", path)


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def test_every_endpoint_that_takes_no_body_refuses_one(world):
    operations = _bodyless_operations()
    # The rule is only as good as this list: an empty one would pass on nothing.
    assert ("post", "/api/v1/cases/{number}/reveal-reporter/") in operations
    assert ("post", "/api/v1/meetings/{id}/minutes/publish/") in operations
    api = _api(world.users["admin"])
    for method, path in operations:
        answer = getattr(api, method)(_url(path), {"note": "已电话联系"}, format="json")
        assert answer.status_code == 400, (method, path, answer.status_code)
        error = answer.json()["error"]
        assert error["codes"] == {"note": "unknown_field"}, (path, error)
        assert error["message"] == "未知字段：note。"


def test_a_reveal_with_a_body_shows_and_logs_nothing(world):
    case = file_case(world)
    api = _api(world.users["clerk"])
    refused = api.post(f"/api/v1/cases/{case.number}/reveal-reporter/", {"reason": "回访"}, format="json")
    assert refused.status_code == 400 and "13812341234" not in refused.content.decode()
    assert not ReporterAccessLog.objects.exists()
    # Nothing, or an empty object, is the call as documented.
    assert api.post(f"/api/v1/cases/{case.number}/reveal-reporter/").json()["phone"] == "13812341234"
    assert api.post(f"/api/v1/cases/{case.number}/reveal-reporter/", {}, format="json").status_code == 200
    assert ReporterAccessLog.objects.filter(granted=True).count() == 2
