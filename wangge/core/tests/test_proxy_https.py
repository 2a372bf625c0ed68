"""Behind a reverse proxy that ends TLS, the production settings learn from the environment which
header says "this came over HTTPS" (``WANGGE_PROXY_SSL_HEADER``): without it every request looks
like plain HTTP — links to residents and the API's ``next`` pages start with http://, and a form
posted from the https:// page fails Django's origin check."""

import json
import os
import subprocess
import sys
from pathlib import Path

from wangge.core.tests.test_deploy_checks import STRONG_KEY

SCRIPT = """
import json, os, django
django.setup()
from django.test import RequestFactory
headers = json.loads(os.environ["PROXY_SENDS"])
request = RequestFactory().get("/cases/", HTTP_HOST="wangge.example.gov.cn", **headers)
print(json.dumps({"secure": request.is_secure(), "link": request.build_absolute_uri("/portal/")}))
"""


def _request_through_proxy(tmp_path, sends=None, **env):
    environ = {k: v for k, v in os.environ.items() if k != "WANGGE_PROXY_SSL_HEADER"}
    environ.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": STRONG_KEY,
                    "ALLOWED_HOSTS": "wangge.example.gov.cn", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                    "PROXY_SENDS": json.dumps(sends or {"HTTP_X_FORWARDED_PROTO": "https"}), **env})
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=Path(__file__).resolve().parents[3], env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


def _result(done):
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_proxys_https_header_named_in_the_environment_makes_the_request_secure(tmp_path):
    got = _result(_request_through_proxy(tmp_path, WANGGE_PROXY_SSL_HEADER="X-Forwarded-Proto"))
    assert got == {"secure": True, "link": "https://wangge.example.gov.cn/portal/"}


def test_without_it_the_header_is_not_believed(tmp_path):
    got = _result(_request_through_proxy(tmp_path))
    assert got == {"secure": False, "link": "http://wangge.example.gov.cn/portal/"}


def test_a_header_and_value_can_be_given(tmp_path):
    on = {"HTTP_X_FORWARDED_SSL": "on"}
    assert _result(_request_through_proxy(tmp_path, on, WANGGE_PROXY_SSL_HEADER="X-Forwarded-Ssl: on"))["secure"]
    # The named header, not any other: X-Forwarded-Proto is not believed when X-Forwarded-Ssl is the one named.
    assert not _result(_request_through_proxy(tmp_path, WANGGE_PROXY_SSL_HEADER="X-Forwarded-Ssl: on"))["secure"]


def test_a_malformed_header_stops_the_start_with_its_name(tmp_path):
    done = _request_through_proxy(tmp_path, WANGGE_PROXY_SSL_HEADER="X_Forwarded Proto")
    assert done.returncode != 0 and "WANGGE_PROXY_SSL_HEADER" in done.stderr
