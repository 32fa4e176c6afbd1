"""Benchmark of the offline geocoder and of the BAN clone (prints figures; asserts nothing).

    DATABASE_URL=... WAREHOUSE_DATABASE_URL=... uv run python -m bench.geocodage [--n 100000] [--workers 2]

Runs on its own warehouse: `<name>_bench` of WAREHOUSE_DATABASE_URL, created if missing.
1. clones the whole Paris BAN file (data/ban/adresses-75.csv.gz, 158k rows) through the clone
   mechanics (served by the local HTTP server), and prints the time;
2. geocodes N addresses drawn from it, clean, with one typo (a letter substituted, deleted or
   swapped in one word of 5 letters or more, any: street type, street name, city; or a digit of
   the postal code), then degraded (two or three of: no accents, lower case, "bd"/"av"/"st", a
   one-letter typo in any word, no postal code, "Paris 11e" forms), with `--workers` threads
   (one warehouse connection each), one by one (on a fifth of them) and in batches of 500 (all of
   them), and prints addresses/s and accuracy: the share within 50 m of
   the BAN position, the share with the right BAN id. Baseline measured in the same run: a
   primary-key lookup of the same addresses (one round trip each), the floor of any per-address
   geocoder, at the start and around each run (the "adjacent" one: on a shared machine);
3. `GET /api/v1/adresses?q=...&limit=5` (the map's address search) over HTTP: gunicorn with
   `--workers` workers, a loopback load generator (2 × workers clients), clean and degraded
   queries, beside the floor of the HTTP stack (the endpoint's 400 answer, no database); prints
   req/s, p50 and p99.
Settings `bench.settings` (production-like: DEBUG off) unless DJANGO_SETTINGS_MODULE is set.
Targets (2 cores): ≥ 2,000 addresses/s; ≥ 99 % within 50 m clean and with one typo, ≥ 95 % degraded;
clone < 10 s."""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import math
import os
import random
import sys
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from bench.sources import bench_url

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # production-like: DEBUG off

os.environ["WAREHOUSE_DATABASE_URL"] = bench_url(
    os.environ.get("WAREHOUSE_DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
from db_bootstrap import EXTENSIONS, ensure_database  # noqa: E402

ensure_database(os.environ["WAREHOUSE_DATABASE_URL"], EXTENSIONS)

import flows  # noqa: E402,F401  (Django settings)
from django.db import connections  # noqa: E402

from bench.carte import load  # noqa: E402
from bench.serveur import gunicorn  # noqa: E402
from flows import REPO  # noqa: E402
from flows.clones.chargement import clone_charger  # noqa: E402
from flows.clones.jeux import BAN  # noqa: E402
from doublures.fichiers import serveur_donnees  # noqa: E402
from flows.warehouse.migrate import warehouse_migrate  # noqa: E402
from geoapp.geocodage.selectors import GeocodeurHorsLigne, adresse_rechercher  # noqa: E402

ABBREV = {"Boulevard": "bd", "Avenue": "av", "Saint": "St", "Sainte": "Ste", "Place": "pl", "Rue": "r",
          "Faubourg": "fg", "Général": "gal"}


def distance_m(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def no_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["sub", "del", "swap"])
    if kind == "sub":
        return word[:i] + rng.choice("aeiourstnl") + word[i + 1:]
    if kind == "del":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def typo_mot(word: str, rng: random.Random) -> str:
    """One typo in a word: a letter substituted, deleted or swapped; in a postal code, a digit
    substituted (75020 → 75021 or 75050)."""
    if word.isdigit() and len(word) == 5:
        i = rng.randrange(2, 5)
        return word[:i] + rng.choice([d for d in "0123456789" if d != word[i]]) + word[i + 1:]
    return typo(word, rng)


def une_faute(text: str, rng: random.Random) -> str:
    """One typo in one word of the address, any of them (the street type, a word of its name, the
    postal code, the city), among the words of 5 characters or more."""
    words = text.split()
    choix = [i for i, w in enumerate(words) if len(w) >= 5 and i > 0]
    if choix:
        i = rng.choice(choix)
        words[i] = typo_mot(words[i], rng)
    return " ".join(words)


def clean(row: dict) -> str:
    rep = f" {row['rep']}" if row["rep"] else ""
    return f"{row['numero']}{rep} {row['nom_voie']} {row['code_postal']} {row['nom_commune']}"


def degrade(row: dict, rng: random.Random) -> str:
    """Two or three of the degradations of the issue, drawn at random."""
    voie = row["nom_voie"]
    city = f"{row['code_postal']} Paris"
    kinds = rng.sample(["accents", "lower", "abbrev", "typo", "no_postcode", "arrondissement"], k=rng.choice([2, 3]))
    if "abbrev" in kinds:
        voie = " ".join(ABBREV.get(w, w) for w in voie.split())
    if "arrondissement" in kinds:
        n = int(row["code_insee"][-2:])
        city = f"Paris {n}{'er' if n == 1 else rng.choice(['e', 'ème', 'eme'])}"
    elif "no_postcode" in kinds:
        city = "Paris"
    rep = f" {row['rep']}" if row["rep"] else ""
    text = f"{row['numero']}{rep} {voie} {city}"
    if "typo" in kinds:  # in any word: street type, name, postal code, city
        text = une_faute(text, rng)
    if "accents" in kinds:
        text = no_accents(text)
    if "lower" in kinds:
        text = text.lower()
    return text


def run(queries: list[tuple[str, dict]], workers: int, batch: bool) -> tuple[float, float, float]:
    def score(best, row):
        if best is None:
            return False, False
        return distance_m(best.lon, best.lat, float(row["lon"]), float(row["lat"])) <= 50, best.id == row["id"]

    def chunk(items):
        try:
            if batch:
                found = GeocodeurHorsLigne().geocoder_lot(adresses=[q for q, _ in items])
            else:
                found = [(adresse_rechercher(q=q, limit=1) or [None])[0] for q, _ in items]
            return [score(best, row) for best, (_, row) in zip(found, items)]
        finally:
            connections.close_all()

    parts = [queries[i::workers] for i in range(workers)]
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = [r for part in pool.map(chunk, parts) for r in part]
    elapsed = time.perf_counter() - started
    return len(queries) / elapsed, sum(r[0] for r in results) / len(results), sum(r[1] for r in results) / len(results)


def baseline(rows: list[dict], workers: int) -> float:
    def chunk(items):
        try:
            with connections["warehouse"].cursor() as cursor:
                for row in items:
                    cursor.execute("SELECT lon, lat FROM ban WHERE id = %s", [row["id"]])
                    cursor.fetchone()
        finally:
            connections.close_all()

    parts = [rows[i::workers] for i in range(workers)]
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(chunk, parts))
    return len(rows) / (time.perf_counter() - started)


def http(queries: dict[str, list[str]], *, workers: int, duration: float) -> None:
    """The map's address search over HTTP: req/s, p50, p99 per kind of query."""
    cases = {name: [f"/api/v1/adresses?{urlencode({'q': q, 'limit': 5})}" for q in texts]
             for name, texts in queries.items()}
    # the floor: the same endpoint's 400 (q too short), the whole HTTP stack without the database
    cases["floor (400, no geocoding)"] = ["/api/v1/adresses?q=x"]
    with gunicorn(workers=workers) as port:
        for name, paths in cases.items():
            asyncio.run(load(port, paths[:20], clients=2, duration=1))  # warm the workers
            r = asyncio.run(load(port, paths, clients=2 * workers, duration=duration))
            errors = r["errors"] if not name.startswith("floor") else r["n"] - r["errors"]  # the floor must fail
            print(f"GET /api/v1/adresses, {name:>8}: {r['n']:,} requests, {r['rps']:,.0f} req/s, "
                  f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, {errors} unexpected statuses "
                  f"(gunicorn {workers} workers, {2 * workers} clients)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=75)
    parser.add_argument("--http-duree", type=float, default=5.0, help="seconds per HTTP run (0: no HTTP)")
    args = parser.parse_args()

    warehouse_migrate()
    with serveur_donnees() as base_url:
        report = clone_charger(jeu=BAN, urls=[f"{base_url}/ban/adresses-75.csv.gz"], min_lignes=150_000)
    print(f"clone BAN Paris: {report.lignes} rows in {report.secondes:.2f} s (target < 10 s)")

    with gzip.open(REPO / "data" / "ban" / "adresses-75.csv.gz", "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["lon"]]
    rng = random.Random(args.seed)
    sample = [rng.choice(rows) for _ in range(args.n)]  # with replacement when n > 158k
    adresse_rechercher(q="1 rue de rivoli paris", limit=1)  # warm the city cache

    base = baseline(sample[:20_000], args.workers)
    print(f"baseline (primary-key lookup, {args.workers} workers): {base:,.0f} lookups/s")
    for name, queries in (("clean", [(clean(r), r) for r in sample]),
                          ("one typo", [(une_faute(clean(r), rng), r) for r in sample]),
                          ("degraded", [(degrade(r, rng), r) for r in sample])):
        for batch in (False, True):
            subset = queries if batch else queries[: args.n // 5]
            # a baseline just before and just after each run too: on a shared machine the load moves
            before = baseline(sample[:5_000], args.workers)
            rate, near, right = run(subset, args.workers, batch)
            adjacent = (before + baseline(sample[5_000:10_000], args.workers)) / 2
            mode = "batch (geocoder_lot)" if batch else "one by one (rechercher)"
            print(f"{name:>8}, {mode}: {len(subset):,} addresses, {rate:,.0f} addresses/s "
                  f"({rate / base:.2f}× baseline, {rate / adjacent:.2f}× the adjacent baseline of "
                  f"{adjacent:,.0f}/s), within 50 m {near:.2%}, right BAN id {right:.2%}", flush=True)
    if args.http_duree:
        http({"clean": [clean(r) for r in sample[:500]], "degraded": [degrade(r, rng) for r in sample[:500]]},
             workers=args.workers, duration=args.http_duree)
    print("examples of degraded addresses:", *[degrade(r, random.Random(i)) for i, r in enumerate(sample[:5])], sep="\n  ")


if __name__ == "__main__":
    main()
