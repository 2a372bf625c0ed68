"""坐标系 — WGS-84 ⇄ GCJ-02 ("Mars coordinates"), pure functions.

WeChat's location messages and every Chinese map (Tencent, AMap) give GCJ-02: WGS-84 shifted by a
published, deliberately non-linear offset of a few hundred metres inside China. Wangge's grid
polygons are GeoJSON, which is WGS-84 (``org.geo``), so a WeChat point is converted before it is
looked up — unconverted it lands 100–700 m off, often in the neighbouring grid.

``wgs84_to_gcj02`` is the well-known closed form (Krasovsky 1940 ellipsoid); its inverse has no
closed form and is found by fixed-point iteration, to well under a centimetre. Outside China
(the rough box GCJ-02 covers) both are the identity, as the datum itself is.
"""

from __future__ import annotations

import math

WGS84 = "wgs84"
GCJ02 = "gcj02"

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m)
_EE = 0.00669342162296594323  # its first eccentricity squared


def outside_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if outside_china(lng, lat):
        return lng, lat
    dlng, dlat = _offset(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, *, tolerance: float = 1e-9) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lng, lat): iterate w ← w − (f(w) − g)."""
    if outside_china(lng, lat):
        return lng, lat
    wlng, wlat = lng, lat
    for _step in range(30):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = glng - lng, glat - lat
        if abs(dlng) < tolerance and abs(dlat) < tolerance:
            break
        wlng, wlat = wlng - dlng, wlat - dlat
    return wlng, wlat


def to_wgs84(lng: float, lat: float, datum: str) -> tuple[float, float]:
    """(lng, lat) given in ``datum`` as WGS-84 (the grid polygons' datum)."""
    if datum == WGS84:
        return lng, lat
    if datum == GCJ02:
        return gcj02_to_wgs84(lng, lat)
    raise ValueError(f"unknown datum {datum!r}")


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (for tests and logs)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
