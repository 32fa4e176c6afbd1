"""What a rate limit costs per request: the shared count (geoapp.securite: one Redis pipeline, the
same count for every process) beside the baseline users had, DRF's AnonRateThrottle on a per-process
in-memory cache (its history list read then written), and no limit at all.
    uv run python -m bench.limites [--n 20000]
Through Django's request handler (test client, no database: `/api/v1/adresses?q=` answers 400)."""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402
from rest_framework.throttling import AnonRateThrottle  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


def mesurer(n: int, fonction) -> list[float]:
    durees = []
    for i in range(n):
        t = time.perf_counter()
        fonction(i)
        durees.append((time.perf_counter() - t) * 1000)
    return durees


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    n = parser.parse_args().n
    client = Client()
    rate = f"{n * 10}/min"

    def requete(i):  # 100 clients in turn
        client.get("/api/v1/adresses?q=", REMOTE_ADDR=f"10.0.{i % 100}.1")

    resultats = {}
    with override_settings(ADRESSES_THROTTLE_RATE=None):
        mesurer(500, requete)
        resultats["sans limite"] = mesurer(n, requete)
    from django.conf import settings

    cache_bench = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "bench-limites"}}  # its own keys
    with override_settings(ADRESSES_THROTTLE_RATE=rate, CACHES=cache_bench):
        caches["default"].clear()
        mesurer(500, requete)
        resultats["limite partagée (Redis)"] = mesurer(n, requete)
        caches["default"].clear()

    # the baseline: DRF's per-process throttle, as the API had it, on a local-memory cache
    factory = APIRequestFactory()
    view = APIView()

    class Avant(AnonRateThrottle):
        rate = "1000000/min"

    from django.core.cache.backends.locmem import LocMemCache

    Avant.cache = LocMemCache("bench-avant", {})

    def avant(i):
        client.get("/api/v1/adresses?q=", REMOTE_ADDR=f"10.0.{i % 100}.1")
        Avant().allow_request(view.initialize_request(factory.get("/", REMOTE_ADDR=f"10.0.{i % 100}.1")), view)

    with override_settings(ADRESSES_THROTTLE_RATE=None):
        mesurer(500, avant)
        resultats["avant : DRF par processus (baseline)"] = mesurer(n, avant)

    # for scale: one bare round trip to the same Redis
    redis_client = caches["default"]._cache.get_client(None, write=True)
    resultats["un PING Redis seul"] = mesurer(n, lambda i: redis_client.ping())

    base = statistics.median(resultats["sans limite"])
    print(f"== une requête Django (ms), n={n} ==")
    print(f"{'':40} {'p50':>7} {'p99':>7}  {'surcoût p50':>12}")
    for nom, durees in resultats.items():
        q = statistics.quantiles(durees, n=100)
        surcout = "" if nom.startswith("un PING") else f"{statistics.median(durees) - base:+10.3f} ms"
        print(f"{nom:40} {statistics.median(durees):7.3f} {q[98]:7.3f}  {surcout}")


if __name__ == "__main__":
    main()
