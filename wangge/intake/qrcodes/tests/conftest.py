"""Fixtures of the QR code tests: codes at a grid and at a building of community A (东园社区)."""

from __future__ import annotations

import re
import zlib
from base64 import a85decode

import pytest
from django.core.cache import cache

from wangge.intake.qrcodes import actions
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.testing import build_world
from wangge.testing.factories import add_region


@pytest.fixture
def world(db):
    """The shared test world, its regions read back from the database. (``build_world`` orders
    siblings by a code that sorts as text: once the factory counter gains a digit, community B
    is inserted before A and A's subtree moves, leaving the returned objects' tree paths stale —
    and scope checks compare paths.)"""
    world = build_world()
    fresh = Region.objects.in_bulk([r.pk for r in (world.city, world.district, world.subdistrict,
                                                   *world.communities, *world.grids)])
    world.city, world.district, world.subdistrict = (fresh[r.pk] for r in (world.city, world.district, world.subdistrict))
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    return world


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The report page counts submissions per address in the process cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def building(world):
    return add_region(world.grids[0], RegionLevel.BUILDING, "3号楼")


@pytest.fixture
def grid_code(world):
    return actions.create_qr_code(actor=world.users["secretary_a"], region=world.grids[0], label="东门公告栏")


@pytest.fixture
def building_code(world, building):
    return actions.create_qr_code(actor=world.users["secretary_a"], region=building)


def pdf_text(data: bytes) -> str:
    """The text drawn in a ReportLab PDF: content streams inflated, string operands decoded
    (UTF-16BE for the CID font, as UniGB-UCS2-H encodes it)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):
            raw = a85decode(raw, adobe=True)
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        for literal in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", raw, re.S):
            out.append(_utf16(_unescape(literal.group(1))))
    return "\n".join(out)


def _unescape(s: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c == 0x5C:  # backslash
            nxt = s[i + 1:i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", s[i + 1:i + 4]).group(0)
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def _utf16(b: bytes) -> str:
    try:
        return b.decode("utf-16-be")
    except UnicodeDecodeError:
        return b.decode("latin-1")
