"""The name an uploaded file is stored under: short enough for any file system, its extension
kept; the name the sender gave stays in ``original_name``."""

from __future__ import annotations

import pytest

from wangge.cases.models.attachment import STORED_NAME_MAX_BYTES, stored_name


@pytest.mark.parametrize("given, expected", [
    ("a.png", "a.png"),
    ("IMG_20261130_155301.jpg", "IMG_20261130_155301.jpg"),
    ("照片.JPEG", "照片.JPEG"),
    ("", "file"),
    (".jpg", ".jpg"),  # splitext sees a hidden file: no extension, kept as it is
    ("../../etc/passwd.png", "passwd.png"),
])
def test_short_names_are_kept(given, expected):
    assert stored_name(given) == expected


@pytest.mark.parametrize("given", [
    "长" * 300 + ".jpg",
    "a" * 400 + ".png",
    "图" * 39 + "a" + "图" * 200 + ".webp",  # the cut would fall inside a character
    "x." + "y" * 300,  # a dot, but no extension
])
def test_long_names_are_cut_to_fit_and_keep_their_extension(given):
    name = stored_name(given)
    assert 0 < len(name.encode()) <= STORED_NAME_MAX_BYTES
    name.encode().decode("utf-8")  # whole characters only
    ext = given.rsplit(".", 1)[-1]
    if len(ext) <= 5:
        assert name.endswith("." + ext)
    assert given.startswith(name.rsplit(".", 1)[0][:10])
