"""Pages speak Simplified Chinese unless the user chose English; the API follows Accept-Language."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_pages_default_to_chinese_even_for_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_gives_english_pages(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/login/")
    assert 'lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_api_errors_follow_accept_language(client):
    zh = client.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="zh-CN").json()["error"]["message"]
    en = client.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert zh != en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert en.isascii()
