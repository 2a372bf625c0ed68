"""Facts about the HTTP request that every app needs, decided in one place.

The client's address: every rate limit, login lockout (django-axes) and access log asks
``client_ip``. Behind a reverse proxy REMOTE_ADDR is the proxy's address, so the proxies are named
in ``WANGGE_TRUSTED_PROXIES`` (addresses or CIDR networks, default none). Only when the peer is one
of them is ``X-Forwarded-For`` read, and then from the right: each trusted proxy appends the
address it was connected from, so the right-most entry that is not itself a trusted proxy is the
first address no proxy of ours vouches beyond — the client. Entries to its left were written by
the client and are ignored (anyone can send ``X-Forwarded-For: 1.2.3.4``).

A row's id or a page's number as the request gives it (``row_id``, ``page_number``): a query
string or form field may hold anything, and a number past a 64-bit key or an offset the database
cannot take is a 500 there (SQLite: OverflowError; PostgreSQL: out of range), not "no such row".
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"WANGGE_TRUSTED_PROXIES: {entry!r} is not an IP address or network ({exc})."
            ) from exc
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The networks of ``WANGGE_TRUSTED_PROXIES`` (parsed once per distinct setting)."""
    entries = getattr(settings, "WANGGE_TRUSTED_PROXIES", ()) or ()
    if isinstance(entries, str):
        entries = [entries]
    return _networks(tuple(entries))


def _address(text: str) -> Address | None:
    """An address as a proxy writes it: ``1.2.3.4``, ``1.2.3.4:5678``, ``::1`` or ``[::1]:5678``;
    IPv4-mapped IPv6 (``::ffff:1.2.3.4``) is the IPv4 address. None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or — when REMOTE_ADDR is a trusted proxy — the right-most
    X-Forwarded-For entry that is not a trusted proxy. None when the server gave no address."""
    remote_text = request.META.get("REMOTE_ADDR") or ""
    remote = _address(remote_text)
    if remote is None:
        return remote_text or None
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    nearest = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        if not hop.strip():
            continue
        address = _address(hop)
        if address is None:
            # Our own proxy wrote something that is not an address: the nearest address we can
            # vouch for is the last proxy, never the unreadable text.
            return str(nearest)
        if not _is_trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)


MAX_ROW_ID = 2**63 - 1  # the largest key a bigint (PostgreSQL) or INTEGER (SQLite) column holds


def row_id(value) -> int | None:
    """``value`` (a query-string or form value, or an int) as a row's id — a positive 64-bit
    integer — or None: blank, not a whole number ("abc", "1.5", "²"), or past any key."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        pk = value
    else:
        text = str(value if value is not None else "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        pk = int(text)
    return pk if 0 < pk <= MAX_ROW_ID else None


def page_number(value, *, last: int = 10_000) -> int:
    """A page number from the query string: 1 when blank or not a number, at most ``last`` (a
    page further than any list reaches is empty, not an offset the database refuses)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return last if len(text) > 9 else min(max(int(text), 1), last)


def page_to_return_to(request) -> str:
    """Where a switch on the page (the language, say) should come back to: this page for a GET;
    after a POST (a refused form shown again at its action's URL, which a GET cannot open: 405)
    the page the form was sent from, if it is on this site, else the home page."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return "/"
