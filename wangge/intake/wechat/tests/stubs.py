"""Media fetchers for tests (no internet): named in settings.WANGGE_WECHAT_MEDIA_FETCHER."""

from wangge.core.testing import png_bytes
from wangge.intake.wechat.media import FetchFailed

fetched: list[str] = []


def fetch_png(*, account, media_id: str, pic_url: str = ""):
    fetched.append(media_id)
    return png_bytes(), "image/png"


def fetch_fails(*, account, media_id: str, pic_url: str = ""):
    raise FetchFailed("media API unreachable")
