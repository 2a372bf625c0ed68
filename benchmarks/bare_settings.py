"""Settings of the bare endpoint (``benchmarks.bare``): the intake server's, with its URLconf."""

from config.settings.dev import *  # noqa: F401,F403 — the same settings as the intake server

ROOT_URLCONF = "benchmarks.bare"
