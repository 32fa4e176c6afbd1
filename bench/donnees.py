"""Benchmark of the open-data export: 500,000 displayed acteurs across France (bench/generate.py,
own database `<DATABASE_URL>_bench`) exported in CSV, GeoJSON and GeoParquet, then validated
against the Table Schema (frictionless), beside the naive export run in the same session on the same
rows (baseline: the ORM's objects → csv.writer, json.dump of a FeatureCollection, a GeoDataFrame of
dicts; on `--naif` acteurs, 50,000 by default, its time per acteur extrapolated). Each case runs in
its own process, so that its peak memory (max RSS) is its own. Goal: < 60 s and < 2 GB.

    uv run python -m bench.donnees [--acteurs 500000] [--naif 50000] [--regenerer]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.carte import bench_database_url, prepare, setup_django


def _taille(dossier: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(dossier.iterdir())}


def _cpu_postgresql(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend on this machine (/proc)."""
    champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


def mesure_ours(dossier: Path) -> dict:
    from django.db import connection

    from geoapp.donnees.services import export_fichiers_ecrire, export_fichiers_valider

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_pg = _cpu_postgresql(backend)
    t = time.perf_counter()
    lignes = export_fichiers_ecrire(dossier=dossier)
    ecriture = time.perf_counter() - t
    cpu_pg = _cpu_postgresql(backend) - cpu_pg
    t = time.perf_counter()
    export_fichiers_valider(dossier=dossier, lignes=lignes)
    return {"lignes": lignes, "ecriture_s": ecriture, "validation_s": time.perf_counter() - t,
            "fichiers": _taille(dossier), "cpu_postgresql_s": cpu_pg}


def mesure_naif(dossier: Path, limite: int) -> dict:
    """What one would write first: ORM objects, Python rows, one writer per format."""
    import csv

    import geopandas
    from shapely.geometry import Point

    from geoapp.acteurs.models import DisplayedActeur, Source
    from geoapp.donnees.selectors import schema_champs
    from geoapp.territoires.models import Commune

    t = time.perf_counter()
    ouvertes = set(Source.objects.filter(licence="OPEN_LICENSE", afficher=True).values_list("code", flat=True))
    communes = {c.code: c for c in Commune.objects.select_related("epci").defer("geom", "epci__geom")}
    lignes = []
    for a in DisplayedActeur.objects.order_by("uuid")[:limite].iterator(chunk_size=2000):
        if not ouvertes.intersection(a.sources) or a.public_accueilli in ("Professionnels", "Aucun"):
            continue
        c = communes.get(a.code_commune_insee)
        domicile = a.lieu_prestation == "A_DOMICILE"
        tel = "".join(ch for ch in a.telephone.replace("(0)", "") if ch.isdigit() or ch == "+")
        lignes.append({
            "identifiant": a.uuid, "nom": a.nom, "nom_commercial": a.nom_commercial,
            "adresse": "" if domicile else a.adresse, "adresse_complement": "" if domicile else a.adresse_complement,
            "code_postal": a.code_postal, "code_commune_insee": a.code_commune_insee,
            "commune": c.nom if c else None, "code_epci": c.epci.code if c and c.epci else None,
            "epci": c.epci.nom if c and c.epci else None,
            "latitude": round(a.location.y, 2 if domicile else 6) if a.location else None,
            "longitude": round(a.location.x, 2 if domicile else 6) if a.location else None,
            "acteur_type": a.acteur_type, "actions": a.actions, "propositions": a.propositions, "labels": a.labels,
            "services": a.acteur_services, "horaires_osm": a.horaires_osm,
            "horaires_description": a.horaires_description, "site_web": a.url,
            "telephone": "" if tel.startswith(("06", "07", "+336", "+337", "00336", "00337")) else a.telephone,
            "sources": sorted(ouvertes.intersection(a.sources)),
            "modifie_le": a.modifie_le.isoformat() if a.modifie_le else None,
        })
    with (dossier / "acteurs.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=schema_champs())
        w.writeheader()
        for r in lignes:
            w.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in r.items()})
    with (dossier / "acteurs.geojson").open("w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": r, "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]}
             if r["longitude"] is not None else None} for r in lignes]}, f, ensure_ascii=False)
    gdf = geopandas.GeoDataFrame(
        [{k: json.dumps(v) if isinstance(v, list) else v for k, v in r.items()} for r in lignes],
        geometry=[Point(r["longitude"], r["latitude"]) if r["longitude"] is not None else None for r in lignes],
        crs="EPSG:4326")
    gdf.to_parquet(dossier / "acteurs.parquet", index=False)
    return {"lignes": len(lignes), "lus": limite, "ecriture_s": time.perf_counter() - t, "validation_s": 0.0,
            "fichiers": _taille(dossier)}


def cas(nom: str, url: str, naif: int) -> None:
    """In a child process: one case, its figures as JSON on the last line of stdout."""
    setup_django(url)
    with tempfile.TemporaryDirectory(prefix="bench-donnees-") as d:
        figures = mesure_ours(Path(d)) if nom == "ours" else mesure_naif(Path(d), naif)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures["max_rss_mo"] = usage.ru_maxrss / 1024
    figures["cpu_python_s"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acteurs", type=int, default=500_000)
    parser.add_argument("--naif", type=int, default=50_000, help="acteurs read by the naive baseline (0: none)")
    parser.add_argument("--regenerer", action="store_true")
    parser.add_argument("--cas", choices=["ours", "naif"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = bench_database_url()
    if args.cas:
        return cas(args.cas, url, args.naif)

    setup_django(url)
    prepare(args.acteurs, args.regenerer)

    def lancer(nom: str) -> dict:
        t = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "bench.donnees", "--cas", nom, "--naif", str(args.naif)],
                             capture_output=True, text=True, env={**os.environ, "BENCH_DATABASE_URL": url})
        if run.returncode:
            sys.exit(f"le cas {nom} a échoué :\n{run.stderr[-3000:]}")
        out = run.stdout
        figures = json.loads(out.strip().splitlines()[-1])
        figures["total_s"] = time.perf_counter() - t
        return figures

    ours = lancer("ours")
    print(f"\nexport des données ouvertes, {args.acteurs} acteurs affichés ({ours['lignes']} publiés)")
    print(f"  ours   : écriture CSV + GeoJSON + GeoParquet {ours['ecriture_s']:.1f} s, validation {ours['validation_s']:.1f} s,"
          f" total {ours['ecriture_s'] + ours['validation_s']:.1f} s ; mémoire max {ours['max_rss_mo']:.0f} Mo ; "
          + ", ".join(f"{k} {v / 1e6:.0f} Mo" for k, v in ours["fichiers"].items())
          + f" ; CPU : Python {ours['cpu_python_s']:.1f} s + PostgreSQL {ours['cpu_postgresql_s']:.1f} s")
    print(f"  charge de la machine (load average 1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    if args.naif:
        naif = lancer("naif")
        par_acteur = naif["ecriture_s"] / naif["lus"]
        estime = par_acteur * args.acteurs
        ours_par_acteur = ours["ecriture_s"] / args.acteurs
        print(f"  naïf (baseline, ORM → csv / json / GeoDataFrame, sans validation) : {naif['lus']} acteurs en "
              f"{naif['ecriture_s']:.1f} s (mémoire max {naif['max_rss_mo']:.0f} Mo) → {estime:.0f} s estimées "
              f"pour {args.acteurs} ; écriture {par_acteur / ours_par_acteur:.1f}× plus lente par acteur")
    but = ours["ecriture_s"] + ours["validation_s"] < 60 and ours["max_rss_mo"] < 2048
    print(f"  objectif < 60 s et < 2 Go : {'tenu' if but else 'NON TENU'}")


if __name__ == "__main__":
    main()
