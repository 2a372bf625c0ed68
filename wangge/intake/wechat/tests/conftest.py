import importlib

import pytest

from . import wx


@pytest.fixture
def wechat_templates(db):
    from wangge.notifications.models import MessageTemplate
    from wangge.notifications.tests.conftest import ensure_default_templates

    ensure_default_templates()
    for name in ("0002_message_templates", "0003_rejected_merged_templates", "0004_merged_resolved_template"):
        defaults = importlib.import_module(f"wangge.intake.wechat.migrations.{name}").DEFAULTS
        for values in defaults:
            MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)


@pytest.fixture(autouse=True)
def wechat_settings(settings, tmp_path):
    settings.WANGGE_WECHAT_MEDIA_FETCHER = "wangge.intake.wechat.tests.stubs.fetch_png"
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
    settings.WANGGE_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WANGGE_PUBLIC_BASE_URL = "https://wangge.example.gov.cn"
    return settings


def make_account(world, *, mode="safe", slug="dongyuan", app_id=wx.APP_ID, community=0):
    from wangge.intake.wechat.models import WechatAccount

    return WechatAccount.objects.create(slug=slug, name="东园社区", app_id=app_id, app_secret="secret",
                                        token=wx.TOKEN, encoding_aes_key=wx.AES_KEY if mode != "plaintext" else "",
                                        mode=mode, region=world.communities[community])


@pytest.fixture
def account(world, wechat_templates):
    """东园社区's account in safe mode (AES)."""
    return make_account(world, mode="safe")


@pytest.fixture
def plain_account(world, wechat_templates):
    return make_account(world, mode="plaintext", slug="xiyuan", app_id="wxplain000000000001", community=1)


@pytest.fixture
def compatible_account(world, wechat_templates):
    return make_account(world, mode="compatible", slug="compat", app_id="wxcompat00000000001")


@pytest.fixture
def reported(client, account, world):
    """A report filed through the account by a resident who also has a mobile number on record."""
    from wangge.cases.models import Case
    from wangge.notifications.models import MessageTemplate
    from wangge.residents.services import link_phone

    from .test_callback import file_report

    file_report(client, account, world)
    case = Case.objects.get()
    link_phone(resident=case.reporter, phone="13812341234", verified=True)  # would get the SMS otherwise
    for values in importlib.import_module("wangge.intake.duplicates.migrations.0002_message_templates").DEFAULTS:
        MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)
    return case
