"""The HTTP client every source client uses: timeouts, retries with exponential backoff on
transient errors (connection, timeout, 5xx, 429, a truncated body), and a per-host rate limit."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import httpx
import orjson

log = logging.getLogger(__name__)


class SourceError(Exception):
    """The source cannot be read as it should: the run fails cleanly, nothing is applied."""


class SourceInjoignable(SourceError):
    """Still failing after the client's retries (the network, the server): worth retrying later."""


class TransientError(Exception):
    """Worth retrying (the network, the server having a bad moment)."""


class RateLimiter:
    """At most `rate` requests per second per host, shared by every client of the process."""

    def __init__(self, rate: float, *, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def wait(self, host: str) -> float:
        """Block until a request to `host` is allowed; returns the time waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + self.interval
        delay = at - now
        if delay > 0:
            self._sleep(delay)
        return delay


_limiters: dict[float, RateLimiter] = {}


def rate_limiter(rate: float) -> RateLimiter:
    return _limiters.setdefault(rate, RateLimiter(rate))


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verification context, built once: loading the CA bundle costs ~0.1 s per
    client otherwise."""
    return httpx.create_ssl_context()


@dataclass
class HttpClient:
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    rate_per_host: float = 5.0
    sleep: object = time.sleep
    _client: httpx.Client | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, **overrides) -> "HttpClient":
        from django.conf import settings

        values = {"timeout": settings.SOURCES_HTTP_TIMEOUT, "retries": settings.SOURCES_HTTP_RETRIES,
                  "backoff": settings.SOURCES_HTTP_BACKOFF, "rate_per_host": settings.SOURCES_HTTP_RATE_PER_HOST}
        return cls(**{**values, **overrides})

    def __enter__(self) -> "HttpClient":
        self._client = httpx.Client(timeout=self.timeout, follow_redirects=True, verify=_ssl_context(),
                                    headers={"User-Agent": "circulaire-sources/1.0"})
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _once(self, url: str, params: dict | None, parse_json: bool):
        rate_limiter(self.rate_per_host).wait(urlsplit(url).netloc)
        client = self._client or httpx.Client(timeout=self.timeout, follow_redirects=True, verify=_ssl_context())
        try:
            response = client.get(url, params=params)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise TransientError(f"{type(exc).__name__} sur {url}") from exc
        finally:
            if self._client is None:
                client.close()
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"HTTP {response.status_code} sur {url}")
        if response.status_code >= 400:
            raise SourceError(f"HTTP {response.status_code} sur {url}")
        if not parse_json:
            return response, None
        try:
            return response, orjson.loads(response.content)
        except ValueError as exc:  # (orjson.JSONDecodeError) a truncated body is often a cut connection: one more try
            raise TransientError(f"JSON tronqué ou invalide sur {url} : {exc}") from exc

    def get(self, url: str, *, params: dict | None = None, parse_json: bool = False):
        """GET with retries; returns `(response, json or None)`; raises `SourceError` when the
        source stays unreadable after the retries."""
        last: Exception | None = None
        for attempt in range(max(1, self.retries)):
            try:
                return self._once(url, params, parse_json)
            except TransientError as exc:
                last = exc
                if attempt + 1 < self.retries:
                    delay = self.backoff * (2 ** attempt)
                    log.warning("%s ; nouvel essai dans %.1f s (%d/%d)", exc, delay, attempt + 1, self.retries)
                    self.sleep(delay)
        raise SourceInjoignable(f"{last} (après {self.retries} tentatives)")
