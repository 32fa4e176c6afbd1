"""Benchmark of the source flows: N records (default 500,000) across the 20 sources, served by the
local stand-in servers (in their own process): fetch → normalise/validate → diff + suggestions →
apply (policy `auto`) → displayed refresh; then the same again with no change.

Prints rows/s per stage, total wall time and peak memory (max RSS of this process, which runs
every flow). Runs on its own databases: `<name>_bench` of DATABASE_URL / WAREHOUSE_DATABASE_URL,
dropped and recreated first.

    uv run python bench/sources.py [--records 500000] [--paralleles 2]

`--paralleles 2`: two flows at a time (threads of this process, flows sharing a source code in
the same queue), as in production where each source is its own deployment: one flow's Python
overlaps another's PostgreSQL work. Stage figures are then per-flow durations summed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def bench_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}_bench"))


def prepare_databases() -> None:
    import psycopg
    from psycopg import sql

    sys.path.insert(0, str(REPO / "scripts"))
    from db_bootstrap import EXTENSIONS, conninfo, ensure_database

    for key in ("DATABASE_URL", "WAREHOUSE_DATABASE_URL"):
        name = conninfo(os.environ[key])["dbname"]
        with psycopg.connect(**conninfo(os.environ[key], dbname="postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        ensure_database(os.environ[key], EXTENSIONS)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_flux(flux: str) -> dict:
    from flows.sources.cma import cma_flow
    from flows.sources.eco_organismes import eco_organisme_flow
    from flows.sources.pharmacies import pharmacies_flow
    from flows.sources.s3 import s3_flow

    if flux == "cma":
        return cma_flow(rafraichir=False)
    if flux == "pharmacies":
        return pharmacies_flow(rafraichir=False)
    if flux == "sinoe":
        from flows.sources.sinoe import sinoe_flow

        return sinoe_flow(rafraichir=False)
    if flux.startswith("s3/"):
        return s3_flow(cle=flux.removeprefix("s3/"), rafraichir=False)
    return eco_organisme_flow(source=flux, rafraichir=False)


def files_paralleles(flux_list: list[str], n: int, sources_of) -> list[list[str]]:
    """Pure: the flows in `n` queues run side by side; flows sharing a source code share a queue
    (their applies would take each other's suggestions), queues balanced by count."""
    groupes: list[tuple[set, list[str]]] = []
    for flux in flux_list:
        sources = set(sources_of(flux))
        lies = [g for g in groupes if g[0] & sources]
        for g in lies[1:]:
            lies[0][0].update(g[0])
            lies[0][1].extend(g[1])
            groupes.remove(g)
        if lies:
            lies[0][0].update(sources)
            lies[0][1].append(flux)
        else:
            groupes.append((sources, [flux]))
    files: list[list[str]] = [[] for _ in range(n)]
    for _, membres in sorted(groupes, key=lambda g: -len(g[1])):
        min(files, key=len).extend(membres)
    return [f for f in files if f]


def run_all(flux_list, totals, paralleles: int = 1) -> dict:
    import threading

    from django.db import connections

    from flows.sources.registre import spec_get

    counts = defaultdict(int)
    verrou = threading.Lock()

    def file(membres: list[str]) -> None:
        try:
            for flux in membres:
                c = run_flux(flux)
                with verrou:
                    for stage, seconds in c["durees_s"].items():
                        totals[stage] += seconds
                    for k in ("recues", "separees", "ajouts", "modifications", "inchanges", "inchanges_par_empreinte",
                              "quarantaine", "suppressions", "appliquees"):
                        counts[k] += c[k]
                    print(f"  {flux:<28} {c['recues']:>7} lignes  {sum(c['durees_s'].values()):6.1f} s", flush=True)
        finally:
            if paralleles > 1:
                connections.close_all()

    if paralleles <= 1:
        file(list(flux_list))
        return dict(counts)
    erreurs: list[BaseException] = []

    def lancer(membres):
        try:
            file(membres)
        except BaseException as exc:  # noqa: BLE001  (re-raised below)
            erreurs.append(exc)

    threads = [threading.Thread(target=lancer, args=(membres,))
               for membres in files_paralleles(list(flux_list), paralleles, lambda f: spec_get(f).sources)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if erreurs:
        raise erreurs[0]
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--paralleles", type=int, default=1,
                        help="flows run side by side (threads; production runs each source as its own deployment)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = bench_url(os.environ.get("DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp"))
    os.environ["WAREHOUSE_DATABASE_URL"] = bench_url(os.environ.get("WAREHOUSE_DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    prepare_databases()

    import flows  # noqa: F401  (Django, Prefect defaults)
    from django.conf import settings
    from django.core.management import call_command

    from flows.referentiels import referentiels_flow
    from flows.sources.demo import FLUX
    from flows.sources.registre import spec_get
    from flows.warehouse.migrate import warehouse_migrate
    from geoapp.acteurs.services import displayed_acteur_refresh
    from geoapp.api.services import tuile_cache_precompute
    from geoapp.suggestions.services import politique_set

    call_command("migrate", interactive=False, verbosity=0)
    warehouse_migrate()
    referentiels_flow()
    size = args.records // len(FLUX)
    server = subprocess.Popen([sys.executable, "-m", "doublures.sources", "--size", str(size),
                               "--seed", str(args.seed)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        urls = json.loads(server.stdout.readline())
        for name, value in {
            "SOURCES_DATAFAIR_POINTSAPPORT_URL": urls["http"], "SOURCES_DATAFAIR_ADEME_URL": urls["http"],
            "SOURCES_CMA_URL": urls["http"], "SOURCES_PHARMACIES_URL": f"{urls['http']}/download/annuaire_csv.zip",
            "SOURCES_GEOCODAGE_URL": f"{urls['http']}/geocodage/search/", "SOURCES_S3_ENDPOINT_URL": urls["s3"],
            "SOURCES_S3_ACCESS_KEY": "bench", "SOURCES_S3_SECRET_KEY": "bench", "SOURCES_HTTP_RATE_PER_HOST": 0,
            "SOURCES_HTTP_TIMEOUT": 120,
        }.items():
            setattr(settings, name, value)
        for flux in FLUX:
            politique_set(source_codes=list(spec_get(flux).sources), politique="auto")

        for label in ("premier passage", "second passage (aucun changement)"):
            print(f"\n== {label} : {size} lignes × {len(FLUX)} sources ==", flush=True)
            totals: dict[str, float] = defaultdict(float)
            start = time.perf_counter()
            counts = run_all(FLUX, totals, args.paralleles)
            t = time.perf_counter()
            if counts["appliquees"]:
                displayed_acteur_refresh()
                tuile_cache_precompute()  # the low-zoom tiles of the new publication, as the flows do
            totals["displayed_refresh"] = time.perf_counter() - t
            wall = time.perf_counter() - start
            rows = counts["recues"] + counts["separees"]
            print(f"lignes : {counts}")
            if args.paralleles > 1:
                print(f"{args.paralleles} flux à la fois : secondes des étapes cumulées sur les flux (ils se "
                      f"chevauchent : la somme dépasse le temps total)")
            print(f"{'étape':<20} {'secondes':>9} {'lignes/s':>10} {'× fetch':>8}")
            fetch_rate = rows / totals["fetch"] if totals["fetch"] else 0
            for stage in ("fetch", "normalise", "diff_suggestions", "apply", "displayed_refresh"):
                if totals[stage] < 0.05:
                    print(f"{stage:<20} {totals[stage]:>9.1f} {'(rien à faire)':>19}")
                    continue
                rate = rows / totals[stage]
                ratio = rate / fetch_rate if fetch_rate else 0
                print(f"{stage:<20} {totals[stage]:>9.1f} {rate:>10.0f} {ratio:>8.2f}")
            print(f"temps total : {wall:.1f} s ({rows / wall:.0f} lignes/s de bout en bout) ; "
                  f"mémoire max : {peak_mb():.0f} Mo", flush=True)
    finally:
        server.terminate()
        server.wait(20)


if __name__ == "__main__":
    main()
