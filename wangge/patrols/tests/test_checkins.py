"""Check-ins: position and distance, offline submissions, idempotent resends, presence by plate."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wangge.core.errors import InvalidInput, NotFound
from wangge.patrols import actions, selectors
from wangge.patrols.choices import Presence, SlotStatus
from wangge.patrols.models import CheckIn, CheckInPhoto, VisitSlot

from .conftest import visit

pytestmark = pytest.mark.django_db


def photo(name="p.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def test_a_check_in_2_km_away_is_flagged_not_refused(world, daily_point):
    result = visit(world, daily_point, metres_north=2000)
    c = result.checkin
    assert result.created and c.is_far and 1990 < c.distance_m < 2010
    assert VisitSlot.objects.get(point=daily_point).status == SlotStatus.DONE
    near = visit(world, daily_point, metres_north=50).checkin
    assert not near.is_far and 45 < near.distance_m < 55


def test_the_far_distance_is_configurable(world, daily_point, settings):
    settings.WANGGE_PATROL_FAR_METRES = 40
    assert visit(world, daily_point, metres_north=50).checkin.is_far


def test_an_offline_check_in_submitted_hours_later_keeps_its_time_and_is_marked_late(world, clock):
    clock.set(2026, 11, 24, 16)
    from .conftest import point_in

    point = point_in(world, active_from=dt.date(2026, 11, 23))
    made_at = dt.datetime(2026, 11, 23, 21, 30, tzinfo=clock.at.tzinfo)  # yesterday, no signal
    c = visit(world, point, at=made_at).checkin
    assert c.client_time == made_at and c.received_at == clock.at and c.is_late
    # It fills the slot of the day it was made, not today's.
    assert c.slot.window_start == dt.date(2026, 11, 23) and c.slot.status == SlotStatus.DONE
    assert VisitSlot.objects.get(point=point, window_start=dt.date(2026, 11, 24)).status == SlotStatus.OPEN
    on_time = visit(world, point, at=clock.at - dt.timedelta(minutes=5)).checkin
    assert not on_time.is_late


def test_a_check_in_too_old_or_in_the_future_is_refused(world, daily_point, clock):
    clock.set(2026, 11, 24, 16)
    with pytest.raises(InvalidInput) as old:
        visit(world, daily_point, at=clock.at - dt.timedelta(hours=73))
    assert old.value.fields == {"client_time": "too_old"}
    with pytest.raises(InvalidInput):
        visit(world, daily_point, at=clock.at + dt.timedelta(hours=1))
    assert not CheckIn.objects.exists()


def test_a_resend_with_the_same_client_id_creates_nothing_new(world, daily_point):
    client_id = uuid.uuid4()
    first = visit(world, daily_point, client_id=client_id, photos=[photo()])
    again = visit(world, daily_point, client_id=client_id, photos=[photo()])
    assert first.created and not again.created and again.checkin.pk == first.checkin.pk
    assert CheckIn.objects.count() == 1 and CheckInPhoto.objects.count() == 1
    # Someone else's id is not theirs to replay.
    with pytest.raises(InvalidInput):
        visit(world, daily_point, client_id=client_id, worker=world.users["chief_a1"])


def test_presence_by_the_qr_plate_is_flagged_and_needs_the_points_token(world, daily_point):
    with pytest.raises(InvalidInput):
        actions.check_in(actor=world.users["worker_a1"], client_id=uuid.uuid4(), point=daily_point,
                         client_time=daily_point.created_at, presence=Presence.QR, plate_token="forged")
    c = actions.check_in(actor=world.users["worker_a1"], client_id=uuid.uuid4(), point=daily_point,
                         client_time=daily_point.created_at, presence=Presence.QR,
                         plate_token=daily_point.plate_token).checkin
    assert c.by_plate and c.latitude is None and c.distance_m is None
    with pytest.raises(InvalidInput):  # GPS presence without a position
        actions.check_in(actor=world.users["worker_a1"], client_id=uuid.uuid4(), point=daily_point,
                         client_time=daily_point.created_at)


def test_a_bad_photo_refuses_the_check_in(world, daily_point):
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(InvalidInput):
        visit(world, daily_point, photos=[bad])
    assert not CheckIn.objects.exists()


def test_a_worker_cannot_see_or_check_in_at_another_grids_points(world, daily_point):
    other = world.users["worker_b1"]
    assert not selectors.points_visible_to(other).exists()
    with pytest.raises(NotFound):
        selectors.point_for(other, daily_point.pk)
    with pytest.raises(NotFound):
        visit(world, daily_point, worker=other)
    c = visit(world, daily_point).checkin
    with pytest.raises(NotFound):
        selectors.checkin_for(other, c.pk)


def test_api_scope_404_and_idempotent_post(world, daily_point, client):
    client.force_login(world.users["worker_b1"])
    assert client.get(f"/api/v1/patrols/points/{daily_point.pk}/").status_code == 404
    assert client.get(f"/patrols/points/{daily_point.pk}/check-in/").status_code == 404
    c = visit(world, daily_point).checkin
    assert client.get(f"/api/v1/patrols/check-ins/{c.pk}/").status_code == 404
    assert client.get("/api/v1/patrols/check-ins/").json()["count"] == 0

    client.force_login(world.users["worker_a1"])
    body = {"client_id": str(uuid.uuid4()), "point": daily_point.pk, "client_time": "2026-01-01T10:00:00+08:00",
            "latitude": daily_point.latitude, "longitude": daily_point.longitude, "accuracy": 8}
    refused = client.post("/api/v1/patrols/check-ins/", body, content_type="application/json",
                          headers={"accept-language": "zh-hans"})
    assert refused.status_code == 400 and refused.json()["error"]["codes"] == {"client_time": "too_old"}
    body["client_time"] = c.received_at.isoformat()
    first = client.post("/api/v1/patrols/check-ins/", body, content_type="application/json")
    second = client.post("/api/v1/patrols/check-ins/", body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and CheckIn.objects.count() == 2
    due = client.get("/api/v1/patrols/slots/due-today/", {"lat": daily_point.latitude, "lng": daily_point.longitude})
    assert due.status_code == 200 and due.json()["due"] == [] and due.json()["done"] == 1
