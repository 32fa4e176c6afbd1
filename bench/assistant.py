"""Benchmark of l'assistant's product search: recall@1 and recall@5 per kind of query on the
labelled set (`data/assistant/recherches-etiquetees.json`), the time of one search in the database,
and HTTP latency at a fixed rate (default 200 requests/s, open loop, on loopback), each beside the
baseline: the search done the way the existing search does it, trigram similarity with a prefix
bonus over unaccented terms (`bench/urls_assistant.py`). Prints figures; asserts nothing.

    uv run python -m bench.assistant [--debit 200] [--duree 15] [--clients 20]

It works on BENCH_DATABASE_URL (default: DATABASE_URL's name + `_bench`), migrated and given the
products by the production loader (which creates only what is missing)."""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.carte import bench_database_url, load, load_rythme, percentile, setup_django
from bench.serveur import gunicorn


def prepare() -> None:
    from django.conf import settings

    from geoapp.acteurs.services import referentiel_load
    from geoapp.assistant.services import produit_index_load

    data = Path(settings.DATA_DIR)
    referentiel_load(reference_dir=data / "reference")
    produit_index_load(index_path=data / "reference" / "produits-index.json",
                       conseils_path=data / "assistant" / "conseils.json")


def ours(q: str, limit: int = 5) -> list[str]:
    from geoapp.assistant.selectors import produit_search

    return [r.nom for r in produit_search(q=q, limit=limit)]


def baseline(q: str, limit: int = 5) -> list[str]:
    from bench.urls_assistant import baseline_search

    return [nom for nom, _, _ in baseline_search(q, limit)]


def bench_quality() -> None:
    from geoapp.assistant.qualite import rappels

    ours_r, base_r = rappels(ours), rappels(baseline)
    print("\n== Quality on the labelled set (recall@1 / recall@5, %) ==")
    print(f"{'kind':14} {'n':>4}  {'ours @1':>8} {'ours @5':>8}  | {'baseline @1':>11} {'baseline @5':>11}")
    for kind, o in ours_r.items():
        b = base_r[kind]
        print(f"{kind:14} {o['n']:4}  {100 * o['rappel_1']:8.1f} {100 * o['rappel_5']:8.1f}  | "
              f"{100 * b['rappel_1']:11.1f} {100 * b['rappel_5']:11.1f}")
    for kind, o in ours_r.items():
        for q, first in o["manques_1"]:
            print(f"   ours missed at 1 ({kind}): {q!r} -> {first}")


def bench_database(queries: list[str], rounds: int = 3) -> None:
    print("\n== One search in the database, through the selector (ms) ==")
    for name, fn in (("ours", ours), ("baseline", baseline)):
        for q in queries:  # warm-up
            fn(q)
        times = []
        for _ in range(rounds):
            for q in queries:
                t = time.perf_counter()
                fn(q)
                times.append((time.perf_counter() - t) * 1000)
        print(f"{name:10} p50 {percentile(times, 50):6.2f}  p99 {percentile(times, 99):6.2f}  (n={len(times)})")


def bench_http(queries: list[str], *, rate: float, duration: float, clients: int, workers: int, threads: int) -> None:
    print(f"\n== Over HTTP: gunicorn {workers} × {threads} threads on 127.0.0.1, {rate:.0f} requests/s open loop "
          f"({clients} clients, latency from each request's scheduled time), {duration:.0f} s (ms) ==")
    print("(service time: one client, each request sent when the previous one is answered, 5 s)")
    print(f"{'endpoint':38} {'req/s':>6} {'p50':>7} {'p99':>7} {'err':>4}  | service p50  p99")
    # ours as served (each text's answer kept in the shared cache: the labelled queries are asked
    # again and again, as citizens' searches are), ours with that cache off, and the baseline
    for name, base, env in (("/api/v1/produits (ours)", "/api/v1/produits", {}),
                            ("ours, uncached (RECHERCHE_CACHE_S=0)", "/api/v1/produits", {"RECHERCHE_CACHE_S": "0"}),
                            ("baseline (trigram + prefix)", "/naif/produits", {})):
        paths = [f"{base}?{urlencode({'q': q, 'limit': 5})}" for q in queries]
        with gunicorn(workers=workers, threads=threads, settings="bench.settings_assistant", env=env) as port:
            asyncio.run(load_rythme(port, paths, clients=clients, rate=20, duration=2))  # warm-up: connections, plans
            alone = asyncio.run(load(port, paths, clients=1, duration=5))
            r = asyncio.run(load_rythme(port, paths, clients=clients, rate=rate, duration=duration))
        print(f"{name:38} {r['rps']:6.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['errors']:4}  | "
              f"{alone['p50']:11.2f} {alone['p99']:5.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debit", type=float, default=200, help="HTTP requests per second (open loop)")
    parser.add_argument("--duree", type=float, default=15.0, help="seconds of the HTTP run")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sans-http", action="store_true")
    args = parser.parse_args()

    url = bench_database_url()
    setup_django(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_assistant"  # the servers' settings
    print(f"database: {urlsplit(url).path.lstrip('/')}; {os.cpu_count()} cores", flush=True)
    prepare()
    from geoapp.assistant.qualite import recherches_etiquetees

    queries = [r["q"] for r in recherches_etiquetees()]
    bench_quality()
    bench_database(queries)
    if not args.sans_http:
        bench_http(queries, rate=args.debit, duration=args.duree, clients=args.clients, workers=args.workers,
                   threads=args.threads)


if __name__ == "__main__":
    main()
