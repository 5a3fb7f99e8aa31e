"""The real Redis that a few tests need (a worker over Redis, the shared rate limit).

``REDIS_URL`` when set, so CI and each developer keep to their own Redis DB; else DB 15 of
the local server. Tests using it skip where no Redis answers, and CI fails on a skip.
"""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False
