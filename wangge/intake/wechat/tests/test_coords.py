"""GCJ-02 ⇄ WGS-84: WeChat's points are converted to the grids' datum (WGS-84, GeoJSON)."""

import pytest

from wangge.intake.wechat import coords


def test_forward_matches_the_published_reference_value():
    # The value every implementation of the standard algorithm gives (e.g. the coordtransform
    # package's documentation) for a point in central Beijing.
    assert coords.wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)


@pytest.mark.parametrize("lng, lat", [(116.3095, 39.905), (121.4737, 31.2304), (113.2644, 23.1291),
                                      (87.6168, 43.8256), (126.6424, 45.7567), (109.5120, 18.2528)])
def test_inverse_recovers_the_point_to_a_centimetre(lng, lat):
    glng, glat = coords.wgs84_to_gcj02(lng, lat)
    assert 100 < coords.distance_m(lng, lat, glng, glat) < 1000  # the shift the datum adds
    back = coords.gcj02_to_wgs84(glng, glat)
    assert coords.distance_m(lng, lat, *back) < 0.01


def test_outside_china_both_ways_are_the_identity():
    assert coords.wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)
    assert coords.gcj02_to_wgs84(-74.006, 40.7128) == (-74.006, 40.7128)


def test_to_wgs84_by_datum():
    assert coords.to_wgs84(116.3, 39.9, coords.WGS84) == (116.3, 39.9)
    assert coords.to_wgs84(*coords.wgs84_to_gcj02(116.3, 39.9), coords.GCJ02) == pytest.approx((116.3, 39.9), abs=1e-8)
    with pytest.raises(ValueError):
        coords.to_wgs84(116.3, 39.9, "bd09")
