"""The WeChat API client of an account (access tokens kept in Django's cache, shared by every
process that shares the cache)."""

from __future__ import annotations

from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.session import SessionStorage


class DjangoCacheStorage(SessionStorage):
    def get(self, key, default=None):
        return cache.get(f"wechat:{key}", default)

    def set(self, key, value, ttl=None):
        cache.set(f"wechat:{key}", value, timeout=ttl)

    def delete(self, key):
        cache.delete(f"wechat:{key}")


def client_for(account) -> WeChatClient:
    return WeChatClient(account.app_id, account.app_secret, session=DjangoCacheStorage(), timeout=10)
