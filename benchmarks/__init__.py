"""Development benchmarks (``make bench``), outside the ``wangge`` package: not shipped.

``python -m benchmarks.run`` — the whole table on PostgreSQL; ``python -m benchmarks.dashboard``
— the dashboard and case-list timings alone.
"""
