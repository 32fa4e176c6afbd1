"""Benchmark: a staff correction, from its save to the API answering the corrected value, with the
incremental refresh (only the touched acteurs: `displayed_acteur_refresh_partial`) beside the full
rebuild every apply or correction triggered before (baseline, measured in the same run). Prints
figures; asserts nothing.

    uv run python -m bench.correction [--acteurs 500000] [--corrections 5] [--regenerer]

Own databases: BENCH_DATABASE_URL / BENCH_WAREHOUSE_DATABASE_URL (default: DATABASE_URL's and
WAREHOUSE_DATABASE_URL's names + `_bench_correction`), created and migrated if needed, filled once
with `--acteurs` imported acteurs (each with a proposition de service, one in five labelled) spread
over France, kept between runs. The API is served by gunicorn (`bench/serveur.py`) and read over
HTTP, as a user would."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import time
from urllib.parse import urlsplit, urlunsplit

from bench.serveur import gunicorn

SUFFIX = "_bench_correction"


def _url(variable: str, default: str) -> str:
    if os.environ.get(f"BENCH_{variable}"):
        return os.environ[f"BENCH_{variable}"]
    parts = urlsplit(os.environ.get(variable, default))
    return urlunsplit(parts._replace(path=parts.path + SUFFIX))


def setup_django() -> None:
    import psycopg

    webapp = _url("DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp")
    warehouse = _url("WAREHOUSE_DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse")
    os.environ.update({"DATABASE_URL": webapp, "WAREHOUSE_DATABASE_URL": warehouse,
                       "DJANGO_SETTINGS_MODULE": "bench.settings"})
    from geoapp.common.databases import conninfo_from_url

    for url in (webapp, warehouse):
        info = {k: v for k, v in conninfo_from_url(url).items() if v is not None}
        with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [info["dbname"]]).fetchone():
                conn.execute(f'CREATE DATABASE "{info["dbname"]}"')
        with psycopg.connect(**info, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def generate(n: int) -> None:
    """`n` imported acteurs over France's bounding box (a seeded random), set-wise in SQL."""
    from django.db import connection, transaction

    from geoapp.acteurs.models import Acteur

    text_columns = [f.column for f in Acteur._meta.concrete_fields
                    if f.get_internal_type() in ("CharField", "TextField", "URLField", "EmailField")
                    and f.column not in ("identifiant_unique", "uuid", "identifiant_externe", "nom", "ville",
                                         "statut", "adresse", "code_postal")]
    with transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE acteurs_displayedacteur, acteurs_revisionacteur, acteurs_acteur CASCADE")
        c.execute("SELECT setseed(0.14)")
        c.execute(f"""
            INSERT INTO acteurs_acteur (identifiant_unique, uuid, identifiant_externe, source_id, acteur_type_id, nom,
                adresse, code_postal, ville, statut, location, perimetre_departements, cree_le, modifie_le,
                {", ".join(text_columns)})
            SELECT 'refashion_' || i, md5('bench' || i), i::text, 'refashion', 'commerce', 'Acteur ' || i,
                   i || ' rue du Banc', '75001', 'Ville ' || (i %% 1000), 'ACTIF',
                   ST_SetSRID(ST_MakePoint(-4.5 + random() * 12, 43 + random() * 7.5), 4326)::geography,
                   '{{}}', now(), now(), {", ".join("''" for _ in text_columns)}
            FROM generate_series(1, %s) i""", [n])
        c.execute("""INSERT INTO acteurs_propositionservice (acteur_id, action_id)
                     SELECT identifiant_unique, (ARRAY['reparer', 'donner', 'trier', 'louer'])[1 + (abs(hashtext(identifiant_unique)) % 4)]
                     FROM acteurs_acteur""")
        c.execute("""INSERT INTO acteurs_propositionservice_sous_categories (propositionservice_id, souscategorieobjet_id)
                     SELECT id, (ARRAY['ecran', 'vetement', 'chaussures'])[1 + id % 3] FROM acteurs_propositionservice""")
        c.execute("""INSERT INTO acteurs_acteur_labels (acteur_id, labelqualite_id)
                     SELECT identifiant_unique, 'reparacteur' FROM acteurs_acteur WHERE identifiant_externe::int % 5 = 0""")
        c.execute("ANALYZE acteurs_acteur")


def api_nom(port: int, uuid: str) -> str | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)  # a first request on a loaded machine
    try:
        conn.request("GET", f"/api/v1/acteurs/{uuid}", headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        return json.loads(body)["properties"]["nom"] if response.status == 200 else None
    finally:
        conn.close()


def correct_and_wait(*, port: int, identifiant: str, uuid: str, nom: str, refresh) -> tuple[float, float]:
    """Save a revision of `identifiant` named `nom` (as the back office does), refresh with
    `refresh(identifiant)`, then read the API until it answers `nom`. (refresh s, end-to-end s)."""
    from geoapp.acteurs.models import RevisionActeur

    start = time.perf_counter()
    revision, _ = RevisionActeur.objects.get_or_create(identifiant_unique=identifiant)
    revision.nom = nom
    revision.save()
    refresh(identifiant)
    refreshed = time.perf_counter()
    while api_nom(port, uuid) != nom:
        if time.perf_counter() - start > 600:
            raise RuntimeError(f"{identifiant}: not visible after 10 minutes")
        time.sleep(0.05)
    return refreshed - start, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acteurs", type=int, default=500_000)
    parser.add_argument("--corrections", type=int, default=5)
    parser.add_argument("--regenerer", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    from pathlib import Path

    from geoapp.acteurs.models import Acteur, DisplayedActeur
    from geoapp.acteurs.services import (
        displayed_acteur_refresh,
        displayed_acteur_refresh_partial,
        referentiel_load,
    )

    print(f"databases: {urlsplit(os.environ['DATABASE_URL']).path.lstrip('/')}, "
          f"{urlsplit(os.environ['WAREHOUSE_DATABASE_URL']).path.lstrip('/')}; {os.cpu_count()} cores", flush=True)
    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    if args.regenerer or Acteur.objects.count() != args.acteurs:
        t = time.perf_counter()
        generate(args.acteurs)
        print(f"generated {args.acteurs} imported acteurs in {time.perf_counter() - t:.1f} s", flush=True)
    if DisplayedActeur.objects.count() != Acteur.objects.count():
        displayed_acteur_refresh()

    rng = random.Random(14)
    picks = rng.sample(range(1, args.acteurs + 1), args.corrections + 1)
    uuids = dict(Acteur.objects.filter(identifiant_unique__in=[f"refashion_{i}" for i in picks])
                 .values_list("identifiant_unique", "uuid"))
    stamp = int(time.time())
    results: dict[str, list[tuple[float, float]]] = {"incremental": [], "full": []}
    with gunicorn(workers=2, threads=4) as port:
        for ident in uuids:  # warm-up: each worker answers once before the clock starts
            api_nom(port, uuids[ident])
            api_nom(port, uuids[ident])
        for k, i in enumerate(picks[:-1]):
            ident = f"refashion_{i}"
            results["incremental"].append(correct_and_wait(
                port=port, identifiant=ident, uuid=uuids[ident], nom=f"Corrigé {stamp}-{k}",
                refresh=lambda x: displayed_acteur_refresh_partial(identifiants=[x])))
            print(f"  incremental {ident}: refresh {results['incremental'][-1][0]:.2f} s, "
                  f"visible in the API after {results['incremental'][-1][1]:.2f} s", flush=True)
        ident = f"refashion_{picks[-1]}"  # baseline: the full rebuild each correction triggered until now
        results["full"].append(correct_and_wait(port=port, identifiant=ident, uuid=uuids[ident], nom=f"Corrigé {stamp}",
                                                refresh=lambda x: displayed_acteur_refresh()))
        print(f"  full rebuild {ident}: refresh {results['full'][-1][0]:.2f} s, "
              f"visible in the API after {results['full'][-1][1]:.2f} s", flush=True)

    print(f"\n== A saved correction until the API answers it, {args.acteurs} acteurs (s) ==")
    print(f"{'':38} {'refresh p50':>12} {'end-to-end p50':>15} {'end-to-end max':>15}")
    for label, key in (("incremental (touched acteurs only)", "incremental"),
                       ("baseline: full rebuild + swap", "full")):
        r = results[key]
        print(f"{label:38} {statistics.median(x[0] for x in r):12.2f} {statistics.median(x[1] for x in r):15.2f} "
              f"{max(x[1] for x in r):15.2f}")
    print(f"ratio (end-to-end p50): {statistics.median(x[1] for x in results['full']) / statistics.median(x[1] for x in results['incremental']):.1f}x")


if __name__ == "__main__":
    main()
