"""Open311 GeoReport v2 (开放311接口): third-party apps file and follow cases through the
published standard — discovery, services, requests, tokens, and FixMyStreet's update history."""
