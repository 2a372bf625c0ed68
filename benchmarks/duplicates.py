"""Duplicate detection and category suggestion: speed at a million cases, and accuracy.

``run(out)`` expects Django set up on a migrated database (``benchmarks.run`` calls it) and
returns rows (name, target, measured, pass/fail/—):

1. duplicate-candidate lookup at 1,000,000 cases (PostgreSQL only): the dashboard bench's
   fixture (``benchmarks.dashboard.insert_cases``, built if missing), with points given to the
   cases of five grids (fixture data: one ``UPDATE``); then ``find_matches`` — the real query
   through the (grid, submitted_at) index, and the scoring — for 200 reports at random places
   in those grids. Target: median under 50 ms.
2. the category classifier's accuracy on texts made from the demo data's templates
   (``wangge/demo/data.py``), on two held-out sets: a random fifth of the texts, and — harder —
   for each category one phrasing (template) it never saw in training. Keywords alone, the
   model alone, and both (what the hotline page offers).
3. the duplicate detector's precision and recall on a labelled set built here: reports of the
   same incident (same category mostly, a few unsure or misfiled; points within 60 m; their own
   words from the category's phrasings) among other incidents, a third of them placed beside
   another of the same or a sibling category. It runs the detector's own rules and scoring
   (``selectors.score``, radius, window, category family) on the pairs; pure Python, no database.

Standalone: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge_bench_dashboard
python -m benchmarks.duplicates``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import statistics
import sys
import time

LOOKUP_TARGET_MS = 50
LOOKUPS = 200
SEED = 20261129
POINT_GRIDS = ["bench-s0c0g0", "bench-s0c0g1", "bench-s0c0g2", "bench-s1c3g2", "bench-s2c7g4"]


def _row(name: str, target: str, measured: str, passed: bool | None) -> tuple[str, str, str, str]:
    return name, target, measured, "—" if passed is None else "pass" if passed else "FAIL"


# ---------------------------------------------------------------------------------------------
# 1. Lookup time at 1,000,000 cases
# ---------------------------------------------------------------------------------------------

POINTS_SQL = """
UPDATE cases_case c SET
  longitude = %(lng)s + random() * 0.01,
  latitude = %(lat)s + random() * 0.01,
  description = (ARRAY['门口的路灯坏了好几天，晚上很黑', '井盖松动车一压就响', '垃圾桶满了没人清运',
                       '楼下摆摊占道经营', '电梯故障困人', '暖气不热室温很低'])[1 + floor(random() * 6)::int]
WHERE c.grid_id = %(grid)s AND c.latitude IS NULL
"""


def bench_lookup(out) -> list[tuple[str, str, str, str]]:
    from django.db import connection

    from benchmarks import dashboard
    from wangge.intake.duplicates import selectors
    from wangge.org.models import Region

    if connection.vendor != "postgresql":
        out.write("duplicates bench: the lookup at 1,000,000 cases needs PostgreSQL (skipped)\n")
        return []
    seconds = dashboard.insert_cases(dashboard.N_CASES, out)
    if seconds:
        out.write(f"  inserted cases in {seconds:.1f} s\n")
    _d, _grids, categories, _leader, _secretary = dashboard.build_territory()
    grids = list(Region.objects.filter(code__in=POINT_GRIDS).order_by("code"))
    with connection.cursor() as cursor:
        for grid in grids:
            ring = grid.boundary["coordinates"][0]
            cursor.execute(POINTS_SQL, {"lng": ring[0][0], "lat": ring[0][1], "grid": grid.pk})
        cursor.execute("ANALYZE cases_case")
    rng = random.Random(SEED)
    total = connection.cursor()
    total.execute("SELECT count(*) FROM cases_case")
    n_cases = total.fetchone()[0]
    asks = []
    for _i in range(LOOKUPS):
        ring = rng.choice(grids).boundary["coordinates"][0]
        asks.append(dict(text=rng.choice(["路灯坏了晚上很黑", "井盖响", "垃圾没人清运", "占道摆摊"]),
                         category_id=rng.choice(categories).pk,
                         longitude=ring[0][0] + rng.random() * 0.01, latitude=ring[0][1] + rng.random() * 0.01))
    selectors.find_matches(**asks[0])  # warm-up: the grid index, the rule table
    samples, found = [], 0
    for ask in asks:
        began = time.perf_counter()
        found += len(selectors.find_matches(**ask, threshold=0))
        samples.append((time.perf_counter() - began) * 1000)
    median, p95 = statistics.median(samples), sorted(samples)[int(len(samples) * 0.95)]
    ask = asks[0]
    qs = selectors.candidate_queryset(category_id=ask["category_id"], point=(ask["longitude"], ask["latitude"]),
                                      grid_id=None, now=dashboard_now())
    plan = qs.only("pk").explain()
    index = "(grid, submitted_at) index" if "cases_case_grid_id_99d8c1_idx" in plan else \
        "another index" if "Index" in plan else "a scan (!)"
    out.write(f"  {LOOKUPS} lookups over {n_cases:,} cases: median {median:.1f} ms, p95 {p95:.1f} ms, "
              f"{found / LOOKUPS:.1f} candidates each on average; plan reads {index}\n")
    return [
        _row(f"duplicate candidates, {n_cases:,} cases, median", f"< {LOOKUP_TARGET_MS} ms", f"{median:.1f} ms",
             median < LOOKUP_TARGET_MS),
        _row(f"duplicate candidates, {n_cases:,} cases, p95", f"< {LOOKUP_TARGET_MS} ms", f"{p95:.1f} ms",
             p95 < LOOKUP_TARGET_MS),
    ]


def dashboard_now():
    from django.utils import timezone

    return timezone.now()


# ---------------------------------------------------------------------------------------------
# 2. Classifier accuracy on the demo data
# ---------------------------------------------------------------------------------------------


def _demo_address(rng: random.Random, spec) -> str:
    r = rng.random()
    if r < 0.5:
        return f"{rng.choice(spec.compounds)}{rng.randint(1, 24)}号楼"
    if r < 0.85 or not spec.landmarks:
        return f"{rng.choice(spec.roads)}{rng.randint(1, 120)}号"
    return rng.choice(spec.landmarks)


def demo_texts(rng: random.Random, per_template: int = 30) -> list[tuple[str, str, int, str]]:
    """(text, leaf code, template index, keywords of the leaf) from the demo phrasings."""
    from wangge.demo import data

    rows = []
    for root in data.CATEGORIES:
        for leaf in root.children:
            for t, template in enumerate(leaf.templates):
                for _i in range(per_template):
                    community = rng.choice(data.COMMUNITIES)
                    text = template.format(addr=_demo_address(rng, community), when=rng.choice(data.WHEN))
                    if rng.random() < 0.15:
                        text = "网格员巡查发现：" + text
                    rows.append((text, leaf.code, t, leaf.keywords))
    return rows


def _keyword_scores(text: str, keywords: dict[str, str]) -> dict[str, int]:
    from wangge.intake.duplicates.text import normalise

    text = normalise(text)
    return {code: n for code, words in keywords.items()
            if (n := sum(1 for w in normalise(words).split() if w and w in text))}


def _accuracy(model, test, keywords, how: str) -> float:
    from wangge.intake.duplicates import classifier
    from wangge.intake.duplicates.suggestions import KEYWORD_WEIGHT

    right = 0
    for text, label, _t, _kw in test:
        hits = _keyword_scores(text, keywords) if how != "model" else {}
        probs = dict(classifier.predict(model, text, limit=10)) if how != "keywords" else {}
        scores = {c: probs.get(c, 0.0) + KEYWORD_WEIGHT * min(hits.get(c, 0), 3) for c in set(hits) | set(probs)}
        best = max(scores.items(), key=lambda item: (item[1], item[0]))[0] if scores else None
        right += best == label
    return right / len(test)


def bench_classifier(out) -> list[tuple[str, str, str, str]]:
    from wangge.intake.duplicates import classifier

    rng = random.Random(SEED)
    rows = demo_texts(rng)
    keywords = {label: kw for _text, label, _t, kw in rows}
    rng.shuffle(rows)
    fifth = len(rows) // 5
    splits = {
        "random fifth held out": (rows[fifth:], rows[:fifth]),
        "one phrasing per category held out": (
            [r for r in rows if r[2] != 0 or _templates(r[1]) < 2], [r for r in rows if r[2] == 0 and _templates(r[1]) >= 2]),
    }
    result = []
    for name, (train, test) in splits.items():
        began = time.perf_counter()
        model = classifier.train([(text, label) for text, label, _t, _kw in train])
        trained = time.perf_counter() - began
        figures = {how: _accuracy(model, test, keywords, how) for how in ("keywords", "model", "both")}
        out.write(f"  classifier, {name}: trained on {len(train)} texts in {trained:.2f} s, tested on {len(test)}: "
                  + ", ".join(f"{how} {value:.1%}" for how, value in figures.items()) + "\n")
        for how, value in figures.items():
            result.append(_row(f"category suggestion ({how}), {name}", "—", f"{value:.1%}", None))
    return result


def _templates(code: str) -> int:
    from wangge.demo import data

    return next(len(leaf.templates) for root in data.CATEGORIES for leaf in root.children if leaf.code == code)


# ---------------------------------------------------------------------------------------------
# 3. Precision and recall of the detector on a labelled set
# ---------------------------------------------------------------------------------------------

M_LAT = 110_574.0


def labelled_reports(rng: random.Random, incidents: int = 400) -> list[dict]:
    """Reports with the incident they are about (the label)."""
    from wangge.demo import data

    leaves = [(root.code, leaf) for root in data.CATEGORIES for leaf in root.children]
    lng0, lat0 = data.ORIGIN
    span_lng, span_lat = data.SPAN
    start = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    reports, placed = [], []
    for incident in range(incidents):
        root, leaf = rng.choice(leaves)
        if placed and rng.random() < 0.33:  # beside another incident: the same or a sibling kind
            other = rng.choice(placed)
            siblings = [item for item in leaves if item[0] == other["root"]]
            root, leaf = other["root"], (other["leaf"] if rng.random() < 0.5 else rng.choice(siblings)[1])
            d, angle = rng.uniform(40, 240), rng.uniform(0, 2 * math.pi)
            lng = other["lng"] + d * math.cos(angle) / (111_320 * math.cos(math.radians(lat0)))
            lat = other["lat"] + d * math.sin(angle) / M_LAT
            at = other["at"] + dt.timedelta(days=rng.uniform(-10, 10))
        else:
            lng, lat = lng0 + rng.random() * span_lng, lat0 + rng.random() * span_lat
            at = start + dt.timedelta(days=rng.uniform(0, 60))
        community = rng.choice(data.COMMUNITIES)
        address = _demo_address(rng, community)
        placed.append({"root": root, "leaf": leaf, "lng": lng, "lat": lat, "at": at})
        extra = rng.choices([0, 1, 2, 3], weights=[55, 25, 12, 8])[0]
        for k in range(1 + extra):
            d, angle = (0, 0) if k == 0 else (rng.uniform(0, 60), rng.uniform(0, 2 * math.pi))
            text = rng.choice(leaf.templates).format(
                addr=address if rng.random() < 0.7 else _demo_address(rng, community), when=rng.choice(data.WHEN))
            if k and rng.random() < 0.1:
                text = "你好，" + text
            r = rng.random()
            siblings = [item[1] for item in leaves if item[0] == root and item[1] is not leaf]
            category = leaf.code if r < 0.75 else None if r < 0.9 or not siblings else rng.choice(siblings).code
            reports.append({
                "incident": incident, "category": category, "root": root,
                "lng": lng + d * math.cos(angle) / (111_320 * math.cos(math.radians(lat0))),
                "lat": lat + d * math.sin(angle) / M_LAT,
                "at": at + dt.timedelta(hours=0 if k == 0 else rng.uniform(1, 120)), "text": text,
            })
    reports.sort(key=lambda r: r["at"])
    return reports


def detect(reports: list[dict], threshold: float) -> set[tuple[int, int]]:
    """Pairs (earlier index, later index) the detector would store, with its own rules: 250 m,
    30 days, the category family (no category: any), and its score."""
    from wangge.intake.duplicates import selectors
    from wangge.intake.duplicates.text import bigrams, similarity

    rule = selectors.Rule()
    grams = [bigrams(r["text"]) for r in reports]
    found = set()
    for j, new in enumerate(reports):
        for i in range(j - 1, -1, -1):
            old = reports[i]
            age = new["at"] - old["at"]
            if age > dt.timedelta(days=rule.window_days):
                break
            if new["category"] and old["category"] and new["root"] != old["root"]:
                continue  # another branch of the tree
            distance = selectors.distance_m(new["lng"], new["lat"], old["lng"], old["lat"])
            if distance > rule.radius_m:
                continue
            relation = "unknown" if not (new["category"] and old["category"]) else \
                "same" if new["category"] == old["category"] else "related"
            value = selectors.score(text_sim=similarity(grams[j], grams[i]), distance=distance,
                                    radius_m=rule.radius_m, same_grid=True, category=relation, age=age,
                                    window_days=rule.window_days)
            if value >= threshold:
                found.add((i, j))
    return found


def bench_detector(out) -> list[tuple[str, str, str, str]]:
    from wangge.intake.duplicates import selectors

    reports = labelled_reports(random.Random(SEED))
    truth = {(i, j) for j in range(len(reports)) for i in range(j)
             if reports[i]["incident"] == reports[j]["incident"]}
    with_earlier = {j for _i, j in truth}
    rows = []
    for name, threshold in (("stored", selectors.store_threshold()), ("shown to the clerk", selectors.show_threshold())):
        found = detect(reports, threshold)
        hits = found & truth
        precision = len(hits) / len(found) if found else 1.0
        recall = len(hits) / len(truth) if truth else 1.0
        flagged = len({j for _i, j in hits}) / len(with_earlier) if with_earlier else 1.0
        out.write(f"  detector, {name} (score ≥ {threshold}): {len(reports)} reports, {len(truth)} duplicate pairs; "
                  f"precision {precision:.1%}, recall {recall:.1%}; {flagged:.1%} of repeat reports get a right candidate\n")
        rows.append(_row(f"duplicate detector precision ({name}, ≥ {threshold})", "—", f"{precision:.1%}", None))
        rows.append(_row(f"duplicate detector recall ({name}, ≥ {threshold})", "—", f"{recall:.1%}", None))
    return rows


def run(out=sys.stdout) -> list[tuple[str, str, str, str]]:
    out.write("duplicates bench\n")
    rows = bench_lookup(out) + bench_classifier(out) + bench_detector(out)
    width = max(len(r[0]) for r in rows)
    for name, target, measured, result in rows:
        out.write(f"{name.ljust(width)}  {target:>10}  {measured:>10}  {result}\n")
    return rows


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(sys.stdout)


if __name__ == "__main__":
    main()
