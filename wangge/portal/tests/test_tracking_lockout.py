"""The tracking lockout is not a denial of service: wrong digits for a case number lock that number
for the client that typed them, not for the resident asking from elsewhere; and a resident's
tracking link is never refused because of anyone else's failures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wangge.testing import file_case

pytestmark = pytest.mark.django_db

TRACK = "/r/track/"
ATTACKER, RESIDENT = "203.0.113.66", "198.51.100.7"


def link(case) -> str:
    return reverse("portal:case", kwargs={"token": case.tracking_token})


def guess_until_refused(client, case, address: str, limit: int = 100) -> int:
    """Wrong digits for ``case`` from ``address`` until refused → how many were answered."""
    for i in range(limit):
        response = client.post(TRACK, {"number": case.number, "phone_last4": f"{i:04d}"}, REMOTE_ADDR=address)
        if response.status_code == 429:
            return i
        assert response.status_code == 200
    raise AssertionError("never refused")


def test_another_clients_wrong_digits_do_not_lock_the_resident_out(client, world):
    case = file_case(world)  # phone 13812341234
    refused_after = guess_until_refused(client, case, ATTACKER)
    assert 0 < refused_after < 10  # the guesser is stopped early …
    # … and stays stopped for this number, even with the right digits (no oracle).
    assert client.post(TRACK, {"number": case.number, "phone_last4": "1234"},
                       REMOTE_ADDR=ATTACKER).status_code == 429
    # The resident, elsewhere, still finds their case.
    response = client.post(TRACK, {"number": case.number, "phone_last4": "1234"}, REMOTE_ADDR=RESIDENT)
    assert response.status_code == 302 and response["Location"] == link(case)


def test_a_locked_out_client_can_still_look_up_other_numbers(client, world):
    case, other = file_case(world), file_case(world)
    guess_until_refused(client, case, ATTACKER)
    response = client.post(TRACK, {"number": other.number, "phone_last4": "1234"}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302


def test_the_ceiling_per_number_needs_many_addresses_and_never_blocks_the_link(client, world, settings):
    """Guessing from many addresses is still bounded per number (4 digits are all that guard the
    page); reaching that ceiling pauses lookups by number, never the resident's link."""
    settings.WANGGE_RATE_LIMITS = {"lookup_number_client": (2, 3600), "lookup_number": (6, 86400)}
    case = file_case(world)
    for n in range(3):  # three addresses, two wrong guesses each
        guess_until_refused(client, case, f"203.0.113.{n}")
    response = client.post(TRACK, {"number": case.number, "phone_last4": "1234"}, REMOTE_ADDR=RESIDENT)
    assert response.status_code == 429
    assert "请打开我们短信中发给您的查询链接" in response.content.decode()
    page = client.get(link(case), REMOTE_ADDR=RESIDENT)
    assert page.status_code == 200 and case.number in page.content.decode()


def test_the_link_is_served_even_after_bad_links_from_the_same_address(client, world, settings):
    """Neighbours behind one NAT (or every client behind a proxy left out of
    WANGGE_TRUSTED_PROXIES) share an address: their bad links must not refuse a valid one."""
    settings.WANGGE_RATE_LIMITS = {"token": (2, 600)}
    case = file_case(world)
    for n in range(3):
        client.get(f"/r/t/guess-{n}/", REMOTE_ADDR=ATTACKER)
    assert client.get("/r/t/guess-9/", REMOTE_ADDR=ATTACKER).status_code == 429  # guessing is still refused
    assert client.get(link(case), REMOTE_ADDR=ATTACKER).status_code == 200


def test_behind_a_trusted_proxy_each_resident_is_counted_on_their_own(client, world, settings):
    settings.WANGGE_TRUSTED_PROXIES = ["10.0.0.5"]
    case = file_case(world)
    for i in range(10):
        client.post(TRACK, {"number": case.number, "phone_last4": f"{i:04d}"},
                    REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=ATTACKER)
    response = client.post(TRACK, {"number": case.number, "phone_last4": "1234"},
                           REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=RESIDENT)
    assert response.status_code == 302
    # And the guesser cannot dodge the count by inventing addresses in the header.
    spoofed = client.post(TRACK, {"number": case.number, "phone_last4": "1234"},
                          REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}")
    assert spoofed.status_code == 429
