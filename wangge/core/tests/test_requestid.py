"""Production tells you what went wrong (issue 8 §7): every request has an id — in the response
header, on every log line, on the 500 page — and with the production settings an unhandled
error reaches the log (stderr) with its traceback and that id. The error pages are the
platform's own, in Chinese by default."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from wangge.core.requestid import SANE_ID, JsonLinesFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[3]
BOOM_URLS = "wangge.core.tests.boom_urls"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("django.request", "wangge.test")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def failing_client(db):
    return Client(raise_request_exception=False)


def test_every_response_carries_a_request_id(client, db):
    first, second = client.get("/login/"), client.get("/login/")
    assert SANE_ID.fullmatch(first["X-Request-ID"]) and first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_incoming_id_is_kept_and_a_forged_one_replaced(client, db):
    assert client.get("/login/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")["X-Request-ID"] == "lb-7f3a9c21-0001"
    for forged in ["abc\nlevel=ERROR fake line", "short", "x" * 300, "id with spaces 123", "<script>alert(1)</script>"]:
        rid = client.get("/login/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
        assert rid != forged and len(rid) == 32 and SANE_ID.fullmatch(rid)


@pytest.mark.urls(BOOM_URLS)
def test_the_500_page_is_in_chinese_with_the_request_id_that_is_on_every_log_line(failing_client, collected):
    response = failing_client.get("/boom/", HTTP_X_REQUEST_ID="req-0123456789")
    assert response.status_code == 500 and response["X-Request-ID"] == "req-0123456789"
    page = response.content.decode()
    assert "系统暂时出现问题" in page and "错误编号" in page and "req-0123456789" in page
    assert '<html lang="zh-hans">' in page
    assert {r.request_id for r in collected} == {"req-0123456789"}  # the view's own line and the error
    error = next(r for r in collected if r.name == "django.request")
    assert error.levelno == logging.ERROR and error.exc_info[0] is RuntimeError


@pytest.mark.urls(BOOM_URLS)
def test_the_500_page_follows_the_chosen_language(failing_client):
    failing_client.cookies["django_language"] = "en"
    page = failing_client.get("/boom/").content.decode()
    assert "Something went wrong on our side" in page and "Error reference" in page


@pytest.mark.urls(BOOM_URLS)
def test_an_api_500_answers_in_the_api_error_format_with_the_request_id(failing_client):
    response = failing_client.get("/api/v1/boom/", HTTP_X_REQUEST_ID="req-api-000001")
    assert response.status_code == 500
    error = response.json()["error"]
    assert (error["code"], error["request_id"]) == ("server_error", "req-api-000001")
    assert "req-api-000001" in error["message"]


def test_the_404_page_is_the_platforms_own_in_chinese(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面或事件不存在" in response.content.decode()
    assert response["X-Request-ID"]


def test_log_lines_outside_a_request_have_no_stale_id(client, db, collected):
    client.get("/login/", HTTP_X_REQUEST_ID="req-finished-01")
    logging.getLogger("wangge.test").warning("between requests")
    assert collected[-1].request_id == "-"


def test_json_lines_keep_the_traceback_inside_one_line():
    try:
        raise ValueError("bad 数据")
    except ValueError:
        record = logging.getLogger("wangge.test").makeRecord(
            "wangge.test", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info())
    RequestIdFilter().filter(record)
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["message"], entry["request_id"]) == ("ERROR", "failed: x", "-")
    assert "ValueError: bad 数据" in entry["exc_info"] and "Traceback" in entry["exc_info"]


PROD_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import override_settings
with override_settings(ROOT_URLCONF="wangge.core.tests.boom_urls"):
    response = Client(raise_request_exception=False).get("/boom/", HTTP_X_REQUEST_ID="req-prod-000042")
print(json.dumps({"status": response.status_code, "page": response.content.decode()}))
"""


def test_with_the_production_settings_an_unhandled_error_reaches_the_log_with_its_traceback(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "testserver", "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
           "WANGGE_HTTPS": "0"}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", PROD_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 500 and "req-prod-000042" in result["page"] and "系统暂时出现问题" in result["page"]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    error = next(e for e in lines if e["logger"] == "django.request")
    assert (error["level"], error["request_id"], error["status"]) == ("ERROR", "req-prod-000042", 500)
    assert "RuntimeError: boom in a view" in error["exc_info"] and "Traceback" in error["exc_info"]
    view_line = next(e for e in lines if e["logger"] == "wangge.test")
    assert view_line["request_id"] == "req-prod-000042"
