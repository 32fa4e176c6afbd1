"""Benchmark of the geocoding enrichment split by département over Prefect workers (prints figures;
asserts nothing): N generated addresses (default 1,000,000) geocoded by the flow
`enrichissement-geocodage-departements`, its parts run by 1 then by 2 workers (separate processes,
a `process` pool) of a Prefect server on PostgreSQL; prints the time, addresses/s and the speed-up.
The baseline is one worker: what a single host does today.

    DATABASE_URL=... WAREHOUSE_DATABASE_URL=... uv run python -m bench.geocodage_workers \\
        [--adresses 1000000] [--departements 10] [--workers 1,2]

Its own databases: `<name>_geoworkers` of DATABASE_URL (web app: the acteurs, their geocodings and
suggestions) and of WAREHOUSE_DATABASE_URL (the BAN clone), `<web app>_geoworkers_prefect` (the
Prefect server's), created if missing and kept (the BAN and the acteurs are generated once).
The BAN: the bundled Paris file (158k addresses) copied into `--departements` départements (01,
02, …: postal codes, INSEE codes, ids and commune names rewritten, positions shifted), cloned by
the clone mechanics from a local HTTP server. The acteurs: `--adresses` addresses drawn from it,
evenly over the départements, without position (each is geocoded and gets a suggestion). Before
each run the geocodings and suggestions are emptied: every run does the whole work.
On 2 cores expect little from a second worker (the geocoder and PostgreSQL share them): the point
is that the parts are independent, so that workers on more hosts add up."""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
SUFFIXE = "_geoworkers"


def _suffixe(url: str, suffixe: str) -> str:
    parts = urlsplit(url)
    return url if parts.path.endswith(suffixe) else urlunsplit(parts._replace(path=parts.path + suffixe))


def urls() -> dict[str, str]:
    webapp = _suffixe(os.environ.get("DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp"),
                      SUFFIXE)
    warehouse = _suffixe(os.environ.get("WAREHOUSE_DATABASE_URL",
                                        "postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse"), SUFFIXE)
    return {"webapp": webapp, "warehouse": warehouse, "prefect": _suffixe(webapp, "_prefect")}


def preparer_django(bases: dict[str, str]) -> None:
    os.environ["DATABASE_URL"], os.environ["WAREHOUSE_DATABASE_URL"] = bases["webapp"], bases["warehouse"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["GEOCODAGE_BACKEND"] = "hors_ligne"
    sys.path.insert(0, str(REPO / "scripts"))
    from db_bootstrap import EXTENSIONS, ensure_database

    for url in bases.values():
        ensure_database(url, EXTENSIONS)
    import flows  # noqa: F401  (Django set up)
    from django.core.management import call_command

    from flows.warehouse.migrate import warehouse_migrate

    call_command("migrate", interactive=False, verbosity=0)
    warehouse_migrate()


# --- the data, generated once --------------------------------------------------------------------


def departements(n: int) -> list[str]:
    return [f"{i:02d}" for i in range(1, n + 1)]


def ban_reecrite(ligne: dict, departement: str, rang: int) -> dict:
    """Pure: a Paris BAN row moved to `departement` (codes, ids, names rewritten; shifted by `rang`
    tenths of a degree north so that no two départements overlap)."""
    out = dict(ligne)
    for champ in ("id", "code_insee"):
        out[champ] = departement + out[champ][2:]
    out["code_postal"] = departement + out["code_postal"][2:]
    out["nom_commune"] = out["nom_commune"].replace("Paris", f"Ville {departement}")
    out["libelle_acheminement"] = f"VILLE {departement}"
    if out["lat"]:
        out["lat"] = f"{float(out['lat']) + rang * 0.1:.6f}"
    return out


def ban_generer(dossier: Path, codes: list[str]) -> tuple[list[str], list[dict]]:
    """The BAN files of the départements in `dossier` (one per département), and their rows."""
    with gzip.open(REPO / "data" / "ban" / "adresses-75.csv.gz", "rt", encoding="utf-8") as fh:
        lecteur = csv.DictReader(fh, delimiter=";")
        entete, paris = lecteur.fieldnames, [r for r in lecteur if r["lon"]]
    fichiers, lignes = [], []
    for rang, code in enumerate(codes):
        rows = [ban_reecrite(r, code, rang) for r in paris]
        chemin = dossier / f"adresses-{code}.csv.gz"
        with gzip.open(chemin, "wt", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=entete, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
        fichiers.append(chemin.name)
        lignes += rows
    return fichiers, lignes


def donnees_preparer(*, adresses: int, codes: list[str]) -> None:
    """The BAN clone of the départements and the acteurs to geocode, unless already there."""
    from django.db import connection
    from django.utils import timezone

    from doublures.fichiers import serveur_donnees
    from flows.clones.chargement import clone_charger
    from flows.clones.jeux import BAN
    from geoapp.acteurs.models import Acteur
    from geoapp.acteurs.services import referentiel_load
    from geoapp.common.databases import warehouse_connect

    with tempfile.TemporaryDirectory(prefix="ban-geoworkers-") as dossier:
        fichiers, lignes = ban_generer(Path(dossier), codes)
        with warehouse_connect() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS reference")
            existe = conn.execute("SELECT to_regclass('reference.ban') IS NOT NULL").fetchone()[0]
            deja = conn.execute("SELECT count(*) FROM reference.ban").fetchone()[0] if existe else 0
        if deja != len(lignes):
            with serveur_donnees(Path(dossier)) as base:
                rapport = clone_charger(jeu=BAN, urls=[f"{base}/{f}" for f in fichiers], min_lignes=len(lignes))
            print(f"clone BAN ({len(codes)} départements): {rapport.lignes:,} rows in {rapport.secondes:.1f} s",
                  flush=True)
        if Acteur.objects.filter(source_id="refashion").count() == adresses:
            return
        referentiel_load(reference_dir=REPO / "data" / "reference")
        rng = random.Random(18)
        par_departement = {}
        for ligne in lignes:
            par_departement.setdefault(ligne["code_postal"][:2], []).append(ligne)
        t = time.perf_counter()
        champs = [f for f in Acteur._meta.concrete_fields]
        maintenant = timezone.now().isoformat()

        def defaut(f) -> str:  # COPY gives every column: what Django would write for a field left out
            if f.null:
                return "\\N"
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                return maintenant
            valeur = f.get_default()
            return "{}" if isinstance(valeur, list) else str(valeur)

        fixes = {f.column: defaut(f) for f in champs}
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE acteurs_acteur CASCADE")
            tampon = io.StringIO()
            for i in range(adresses):
                r = rng.choice(par_departement[codes[i % len(codes)]])
                rep = f" {r['rep']}" if r["rep"] else ""
                valeurs = {**fixes, "identifiant_unique": f"refashion_g{i}", "uuid": f"uuid-g{i}",
                           "identifiant_externe": f"g{i}", "source_id": "refashion", "nom": f"Atelier {i}",
                           "acteur_type_id": "commerce", "adresse": f"{r['numero']}{rep} {r['nom_voie']}",
                           "code_postal": r["code_postal"], "ville": r["nom_commune"], "statut": "ACTIF"}
                tampon.write("\t".join(valeurs[f.column] for f in champs) + "\n")
            tampon.seek(0)
            with cursor.connection.cursor().copy(
                    f"COPY acteurs_acteur ({', '.join(f.column for f in champs)}) FROM STDIN") as copy:
                while bloc := tampon.read(1 << 20):
                    copy.write(bloc)
        print(f"{adresses:,} acteurs to geocode written in {time.perf_counter() - t:.1f} s", flush=True)


def vider() -> None:
    """Every run from scratch: no geocoding, no suggestion."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE geocodage_geocodageacteur, suggestions_changementsuggestion, "
                       "suggestions_groupesuggestion, suggestions_cohortesuggestion CASCADE")


# --- Prefect: a server on PostgreSQL, workers as processes (flows/execution_locale.py) -----------


def mesurer(api: str, workers: int, adresses: int) -> float:
    """One run of the split geocoding with `workers` workers; its wall-clock time (s)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.enrichissement.geocodage_departements import enrichissement_geocodage_departements_flow
    from flows.execution_locale import deploiement_creer, processus_arreter, worker_prefect_demarrer
    from geoapp.geocodage.models import GeocodageActeur

    vider()
    pool = f"geoworkers-{uuid.uuid4().hex[:8]}"
    deploiement = deploiement_creer(api=api, pool=pool, flow="enrichissement-geocodage",
                                    entrypoint="flows/enrichissement/geocodage.py:enrichissement_geocodage_flow")
    lances = [worker_prefect_demarrer(api=api, pool=pool, nom=f"hote-{i + 1}") for i in range(workers)]
    try:
        with temporary_settings(updates={PREFECT_API_URL: api}):
            t = time.perf_counter()
            parts = enrichissement_geocodage_departements_flow(deploiement=deploiement, intervalle=1.0)
            duree = time.perf_counter() - t
    finally:
        for w in lances:
            processus_arreter(w)
    etats = sorted({p["etat"] for p in parts.values()})
    faits = GeocodageActeur.objects.count()
    print(f"  {workers} worker(s): {len(parts)} parts {etats}, {faits:,} addresses geocoded "
          f"({'all' if faits == adresses else 'NOT all'}) in {duree:.1f} s: {adresses / duree:,.0f} addresses/s",
          flush=True)
    return duree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adresses", type=int, default=1_000_000)
    parser.add_argument("--departements", type=int, default=10)
    parser.add_argument("--workers", default="1,2", help="the worker counts to measure, in order")
    args = parser.parse_args()
    bases = urls()
    preparer_django(bases)
    print(f"databases: {', '.join(urlsplit(u).path.lstrip('/') for u in bases.values())}; {os.cpu_count()} cores",
          flush=True)
    codes = departements(args.departements)
    donnees_preparer(adresses=args.adresses, codes=codes)
    from flows.execution_locale import processus_arreter, serveur_prefect_demarrer

    serveur, api = serveur_prefect_demarrer(base_url=bases["prefect"])
    try:
        durees = {int(n): mesurer(api, int(n), args.adresses) for n in args.workers.split(",")}
    finally:
        processus_arreter(serveur)
    base = durees.get(1)
    print(f"\n{args.adresses:,} addresses, {args.departements} départements, on {os.cpu_count()} cores:")
    for n, d in durees.items():
        label = "  (baseline: one worker, one host as today)" if n == 1 else ""
        acceleration = f", speed-up {base / d:.2f}×" if base and n != 1 else ""
        print(f"  {n} worker(s): {d:7.1f} s, {args.adresses / d:8,.0f} addresses/s{acceleration}{label}")


if __name__ == "__main__":
    main()
