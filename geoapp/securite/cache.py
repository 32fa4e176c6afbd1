"""Django's Redis cache, shared by every process and host, with two additions: an atomic counter
over a window (the rate limits) and a `clear()` that only deletes this site's keys (its
KEY_PREFIX), never the whole Redis database another site or test run may be using."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache


class RedisCache(DjangoRedisCache):
    def compter(self, key: str, *, timeout: int) -> int:
        """Add one to `key` (created with `timeout` seconds to live) and return the count. One round
        trip: INCR and EXPIRE NX pipelined (no MULTI: each is atomic, and the expiry is set by
        whichever request comes first, so a key never outlives its window)."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def ttl(self, key: str) -> int | None:
        """Seconds `key` has left to live (None: missing or no expiry)."""
        key = self.make_and_validate_key(key)
        ttl = self._cache.get_client(key).ttl(key)
        return int(ttl) if ttl and ttl > 0 else None

    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        pattern = self.make_key("*")
        keys = list(client.scan_iter(match=pattern, count=1000))
        for i in range(0, len(keys), 1000):
            client.delete(*keys[i:i + 1000])
        return True
