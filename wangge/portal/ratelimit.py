"""The resident pages' limits live in ``wangge.core.ratelimit`` (shared by every app).

The report form counts two things per client address: "report", the reports actually filed
(checked before filing, counted after), and "report_attempt" (registered in ``apps.py``), every
post, valid or not, with a ceiling ten times higher against floods. A refused or mistyped post
never uses up a filing: many residents share one public address behind carrier-grade NAT or a
compound's Wi-Fi."""

from wangge.core.ratelimit import DEFAULT_LIMITS, Limit, client_ip, register_limit  # noqa: F401
