"""居民回复 — what residents are told about their own reports, outside the platform."""
