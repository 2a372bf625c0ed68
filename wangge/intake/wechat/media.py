"""Downloading a photo a resident sent (图片消息).

Production: through the media API of the account (``media/get`` with the account's access
token), falling back to the message's ``PicUrl``. Tests (no internet) name another function in
``settings.WANGGE_WECHAT_MEDIA_FETCHER`` — same signature, returns (bytes, content type).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

MAX_PHOTO_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 10


class FetchFailed(Exception):
    pass


def fetch(*, account, media_id: str, pic_url: str = "") -> tuple[bytes, str]:
    path = getattr(settings, "WANGGE_WECHAT_MEDIA_FETCHER", "")
    fetcher = import_string(path) if path else download
    return fetcher(account=account, media_id=media_id, pic_url=pic_url)


def download(*, account, media_id: str, pic_url: str = "") -> tuple[bytes, str]:
    import requests

    from .client import client_for

    try:
        response = client_for(account).media.download(media_id)
        if response.headers.get("Content-Type", "").startswith("image/"):
            return _capped(response.content), response.headers["Content-Type"]
        if pic_url:
            response = requests.get(pic_url, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            return _capped(response.content), response.headers.get("Content-Type", "")
    except (requests.RequestException, OSError, ValueError) as exc:
        raise FetchFailed(str(exc)) from exc
    except Exception as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from exc
    raise FetchFailed("the media API returned no image")


def _capped(content: bytes) -> bytes:
    if len(content) > MAX_PHOTO_BYTES:
        raise FetchFailed("photo larger than the cap")
    return content
