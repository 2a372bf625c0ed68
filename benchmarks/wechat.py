"""WeChat callback benchmark: the passive reply's latency with 20 residents messaging at once.

``run(out)`` expects Django set up on a migrated PostgreSQL database holding grids (``benchmarks.run``
calls it after building the demo world). It registers one official account in safe (AES) mode,
starts gunicorn as the intake benchmark does, and drives 20 senders — each its own kept-alive
connection and OpenID, one message at a time, as WeChat's servers deliver them — through whole
reports: a text (→ "where?") then a GCJ-02 location (→ the case is filed and its number
answered). Messages are signed and encrypted with wechatpy beforehand, so the load generator
spends its time only on sockets. Target: p99 under 1 s (WeChat gives up after 5 s).

Standalone (after ``python -m benchmarks.run`` has built ``wangge_bench``):
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge_bench DJANGO_SETTINGS_MODULE=config.settings.dev
python -m benchmarks.wechat``
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import sys
import time

SENDERS = int(os.environ.get("WANGGE_BENCH_WECHAT_SENDERS", "20"))
REPORTS_PER_SENDER = int(os.environ.get("WANGGE_BENCH_WECHAT_REPORTS", "15"))
TARGET_P99_MS = 1000
TOKEN, AES_KEY, APP_ID = "benchtoken", "B" * 43, "wxbench000000000001"


def _account():
    from wangge.intake.wechat.models import WechatAccount
    from wangge.org.choices import RegionLevel
    from wangge.org.models import Region

    community = Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("pk").first()
    account, _created = WechatAccount.objects.update_or_create(
        app_id=APP_ID, defaults={"slug": "bench", "name": "压测社区", "token": TOKEN, "encoding_aes_key": AES_KEY,
                                     "mode": "safe", "region": community, "enabled": True})
    return account


def _grid_points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """n GCJ-02 points well inside the active grids (what a phone in each grid would send)."""
    import shapely
    from shapely.geometry import shape

    from wangge.intake.wechat.coords import wgs84_to_gcj02
    from wangge.org.choices import RegionLevel
    from wangge.org.models import Region

    polygons = [shape(b).buffer(-0.0002) for b in Region.objects.filter(
        level=RegionLevel.GRID, is_active=True, boundary__isnull=False).values_list("boundary", flat=True)]
    polygons = [p for p in polygons if not p.is_empty]
    points = []
    while len(points) < n:
        polygon = rng.choice(polygons)
        minx, miny, maxx, maxy = polygon.bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(shapely.Point(x, y)):
            points.append(wgs84_to_gcj02(x, y))
    return points


def _requests(port: int, rng: random.Random) -> list[list[bytes]]:
    """Each sender's messages, signed and encrypted, as raw HTTP requests."""
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    points = iter(_grid_points(rng, SENDERS * REPORTS_PER_SENDER))
    now = int(time.time())
    # Fresh ids and nonces on every run: a re-run against the same database is new traffic, not
    # WeChat's retries of the last run's messages (which would be answered from the record).
    msg_ids = iter(range(now * 1_000_000, (now + 1) * 1_000_000))
    nonce = iter(range(now * 1_000, (now + 1) * 1_000_000))
    senders = []
    for s in range(SENDERS):
        openid = f"oBench{s:022d}"
        head = (f"<ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
                f"<CreateTime>{now}</CreateTime>")
        messages = []
        for r in range(REPORTS_PER_SENDER):
            lng, lat = next(points)
            messages.append(f"<xml>{head}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[压测{s}-{r}：楼下井盖缺失，"
                            f"夜里很危险]]></Content><MsgId>{next(msg_ids)}</MsgId></xml>")
            messages.append(f"<xml>{head}<MsgType><![CDATA[location]]></MsgType><Location_X>{lat:.6f}</Location_X>"
                            f"<Location_Y>{lng:.6f}</Location_Y><Scale>16</Scale><Label><![CDATA[和平路{r}号]]></Label>"
                            f"<MsgId>{next(msg_ids)}</MsgId></xml>")
        raw = []
        for xml in messages:
            n, ts = str(next(nonce)), str(now)
            envelope = crypto.encrypt_message(xml, n, ts)
            signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
            body = envelope.encode()
            raw.append((f"POST /wechat/bench/?timestamp={ts}&nonce={n}&encrypt_type=aes&msg_signature={signature}"
                        f" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        senders.append(raw)
    return senders


def _drive(port: int, senders: list[list[bytes]]) -> tuple[list[float], list[str]]:
    """Every sender on its own kept-alive connection, one message at a time; an XML reply counts."""
    from benchmarks.run import drive

    return drive(port, [iter(messages) for messages in senders],
                 lambda status, body: status == 200 and body.startswith(b"<xml>"))


def run(out=sys.stdout) -> list:
    import httpx

    from benchmarks.run import (
        INTAKE_WORKER_CLASS,
        INTAKE_WORKERS,
        Row,
        _free_port,
        _start_server,
        _wait_ready,
    )
    from wangge.cases.models import Case

    _account()
    port = _free_port()
    senders = _requests(port, random.Random(7))
    before = Case.objects.filter(source=f"wechat:{APP_ID}").count()
    server = _start_server(port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as probe:
            _wait_ready(probe, "/healthz?scope=web", server)
            warm = [s.pop(0) for s in senders[:4] for _i in range(2)]  # imports, grid index, connections
            _drive(port, [[w] for w in warm])
        started = time.perf_counter()
        latencies, errors = _drive(port, senders)
        seconds = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    filed = Case.objects.filter(source=f"wechat:{APP_ID}").count() - before
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    p50, p99 = q[49] * 1000, q[98] * 1000
    print(f"wechat: {len(latencies)} replies in {seconds:.1f} s ({len(latencies) / seconds:.0f}/s), "
          f"{filed} cases filed, {len(errors)} errors", file=out)
    for error in errors[:5]:
        print(f"  error: {error}", file=out)
    expected_cases = SENDERS * REPORTS_PER_SENDER
    ok = not errors and filed == expected_cases and p99 < TARGET_P99_MS
    return [Row(f"WeChat callback reply (safe mode, {SENDERS} concurrent senders, {INTAKE_WORKERS} gunicorn "
                f"{INTAKE_WORKER_CLASS} workers)", f"p99 < {TARGET_P99_MS} ms",
                f"p50 {p50:.0f} ms  p99 {p99:.0f} ms  ({len(latencies) / seconds:.0f} msg/s, {filed} cases)", ok)]


if __name__ == "__main__":
    import django

    django.setup()
    from benchmarks.run import print_table

    print_table(run(sys.stdout))
