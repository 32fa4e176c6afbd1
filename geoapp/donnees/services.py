"""Writes of open data: the export's three files from one snapshot of the displayed acteurs, their
validation against the Table Schema, their deposit in the bucket (dated version + `latest`, 30 days
kept) with the registry, and their publication on data.gouv.fr."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from geoapp.common.databases import bulk_settings_sql

from . import stockage
from .models import ExportDonnees
from .selectors import (
    SCHEMA_PATH, acteur_ouvert_csv_select_sql, acteur_ouvert_geojson_select_sql, acteur_ouvert_select_sql,
    schema_acteurs, schema_champs,
)

# format → (file name, media type)
FICHIERS = {
    "csv": ("acteurs.csv", "text/csv; charset=utf-8"),
    "geojson": ("acteurs.geojson", "application/geo+json"),
    "parquet": ("acteurs.parquet", "application/vnd.apache.parquet"),
}
SCHEMA_FICHIER = "schema.json"
_TABLE = "export_acteur_ouvert"
# a CSV whose quote and delimiter never occur in JSON text: each row is written as it is, unescaped
_COPY_BRUT = sql.SQL("COPY ({q}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')")


class ExportInvalide(Exception):
    """The export does not hold to its Table Schema: nothing is deposited."""


def _copier_vers(cursor, requete: sql.Composable, chemin: Path) -> None:
    with chemin.open("wb") as f, cursor.copy(requete) as copy:
        for morceau in copy:
            f.write(morceau)


def _geojson_ecrire(cursor, chemin: Path) -> int:
    """A FeatureCollection, one Feature per line (streamed from PostgreSQL, never held in memory):
    the complete lines of each chunk are written at once, a comma at the end of each."""
    n = 0
    with chemin.open("wb") as f:
        f.write(b'{"type": "FeatureCollection", "features": [\n')
        reste = b""
        with cursor.copy(_COPY_BRUT.format(q=acteur_ouvert_geojson_select_sql(table=_TABLE))) as copy:
            for morceau in copy:
                donnees = reste + bytes(morceau)
                fin = donnees.rfind(b"\n")
                if fin < 0:
                    reste = donnees
                    continue
                lignes, reste = donnees[:fin], donnees[fin + 1:]
                f.write((b",\n" if n else b"") + lignes.replace(b"\n", b",\n"))
                n += lignes.count(b"\n") + 1
        if reste:
            f.write((b",\n" if n else b"") + reste)
            n += 1
        f.write(b"\n]}\n")
    return n


def _parquet_ecrire(*, csv: Path, parquet: Path) -> None:
    """GeoParquet (geopandas) with the CSV's columns and types, plus a WGS 84 point geometry."""
    import geopandas
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import shapely

    types = {"number": pa.float64(), "datetime": pa.timestamp("s", tz="UTC")}
    column_types = {f["name"]: types.get(f["type"], pa.string()) for f in schema_acteurs()["fields"]}
    table = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(
        column_types=column_types, strings_can_be_null=True, quoted_strings_can_be_null=False))
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    del table
    lon = df["longitude"].to_numpy(dtype="float64", na_value=np.nan)
    lat = df["latitude"].to_numpy(dtype="float64", na_value=np.nan)
    geometrie = np.full(len(df), None, dtype=object)
    situes = ~(np.isnan(lon) | np.isnan(lat))
    geometrie[situes] = shapely.points(lon[situes], lat[situes])
    geopandas.GeoDataFrame(df, geometry=geometrie, crs="EPSG:4326").to_parquet(parquet, index=False)


def export_fichiers_ecrire(*, dossier: Path) -> int:
    """Writes acteurs.csv, acteurs.geojson (from one snapshot: a temp table of the published rows,
    so a publication between the two reads changes neither) and acteurs.parquet (from the CSV)
    into `dossier`. Returns the number of acteurs."""
    dossier = Path(dossier)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for reglage in bulk_settings_sql():  # sorts in memory (temp_buffers: the session may have used one)
                cursor.execute(reglage)
            cursor.execute(sql.SQL("CREATE TEMP TABLE {t} ON COMMIT DROP AS {q}").format(
                t=sql.Identifier(_TABLE), q=acteur_ouvert_select_sql()))
            lignes = cursor.execute(sql.SQL("SELECT count(*) FROM {t}").format(t=sql.Identifier(_TABLE))).fetchone()[0]
            _copier_vers(cursor, sql.SQL("COPY ({q}) TO STDOUT WITH (FORMAT csv, HEADER, ENCODING 'UTF8')").format(
                q=acteur_ouvert_csv_select_sql(table=_TABLE)), dossier / FICHIERS["csv"][0])
            features = _geojson_ecrire(cursor, dossier / FICHIERS["geojson"][0])
            assert features == lignes, (features, lignes)
    _parquet_ecrire(csv=dossier / FICHIERS["csv"][0], parquet=dossier / FICHIERS["parquet"][0])
    (dossier / SCHEMA_FICHIER).write_bytes(SCHEMA_PATH.read_bytes())
    return lignes


def export_fichiers_valider(*, dossier: Path, lignes: int) -> dict[str, int]:
    """Validates the CSV against the Table Schema (frictionless: types, constraints, header,
    primary key; in DONNEES_VALIDATION_PROCESSUS processes, `validation.py`) and checks that the
    GeoJSON and the GeoParquet hold the same fields and the same number of rows. Raises
    ExportInvalide naming the first errors."""
    import tempfile

    import pyarrow.parquet as pq

    from .validation import csv_valider

    dossier = Path(dossier)
    champs = schema_champs()
    with tempfile.TemporaryDirectory(dir=dossier) as parties:  # the CSV in parts, one process each
        validation = csv_valider(chemin=dossier / FICHIERS["csv"][0], schema=schema_acteurs(),
                                 parties=settings.DONNEES_VALIDATION_PROCESSUS, dossier=Path(parties))
    if not validation.valide:
        raise ExportInvalide("le CSV ne respecte pas le schéma : " + " ; ".join(validation.erreurs))
    lignes_csv = validation.lignes
    if lignes_csv != lignes:
        raise ExportInvalide(f"le CSV a {lignes_csv} lignes au lieu de {lignes}")

    meta = pq.read_metadata(dossier / FICHIERS["parquet"][0])
    colonnes = pq.read_schema(dossier / FICHIERS["parquet"][0]).names
    if meta.num_rows != lignes or colonnes != [*champs, "geometry"] or b"geo" not in (meta.metadata or {}):
        raise ExportInvalide(f"le GeoParquet ne correspond pas au schéma ({meta.num_rows} lignes, colonnes {colonnes})")

    n, premiere = 0, None
    with (dossier / FICHIERS["geojson"][0]).open("rb") as f:
        for ligne in f:
            if ligne.startswith(b'{"type" : "Feature"'):
                n += 1
                premiere = premiere or ligne
    if n != lignes or (premiere and list(json.loads(premiere.rstrip(b",\n"))["properties"]) != champs):
        raise ExportInvalide(f"le GeoJSON ne correspond pas au schéma ({n} objets au lieu de {lignes})")
    return {"csv": lignes_csv, "geojson": n, "parquet": meta.num_rows}


def _sha256(chemin: Path) -> str:
    h = hashlib.sha256()
    with chemin.open("rb") as f:
        while morceau := f.read(1 << 20):
            h.update(morceau)
    return h.hexdigest()


def export_fichiers_deposer(*, dossier: Path, jour: dt.date, lignes: int) -> list[dict]:
    """Deposits each file as the day's version and as `latest` (plus the schema), records them,
    and deletes the versions older than DONNEES_RETENTION_JOURS. Running twice the same day
    replaces that day's version."""
    dossier = Path(dossier)
    version = schema_acteurs()["version"]
    deposes = []
    for format_, (nom, media) in FICHIERS.items():
        chemin = dossier / nom
        cle, latest = stockage.cle_datee(jour=jour, nom=nom), stockage.cle_latest(nom=nom)
        stockage.fichier_deposer(chemin=chemin, cle=cle, content_type=media)
        stockage.objet_copier(source=cle, cle=latest)
        valeurs = {"cle": cle, "cle_latest": latest, "taille": chemin.stat().st_size, "lignes": lignes,
                   "sha256": _sha256(chemin), "version_schema": version}
        ExportDonnees.objects.update_or_create(jour=jour, format=format_, defaults=valeurs)
        deposes.append({"format": format_, "nom": nom, "media": media, **valeurs})
    for cle in (stockage.cle_datee(jour=jour, nom=SCHEMA_FICHIER), stockage.cle_latest(nom=SCHEMA_FICHIER)):
        stockage.fichier_deposer(chemin=dossier / SCHEMA_FICHIER, cle=cle, content_type="application/json")
    jours = settings.DONNEES_RETENTION_JOURS
    stockage.versions_expirees_supprimer(aujourdhui=jour, jours=jours)
    ExportDonnees.objects.filter(jour__lt=jour - dt.timedelta(days=jours)).delete()
    return deposes


def export_datagouv_publier(*, deposes: list[dict]) -> list[dict] | None:
    """Creates or updates, on the data.gouv.fr dataset of the settings, one remote resource per
    format pointing at the site's `/donnees/` file. None when no key or dataset is configured."""
    from .datagouv import ClientDataGouv

    if not (settings.DATAGOUV_API_KEY and settings.DATAGOUV_DATASET):
        return None
    site = settings.DONNEES_SITE_URL.rstrip("/")
    client = ClientDataGouv(base_url=settings.DATAGOUV_API_URL, api_key=settings.DATAGOUV_API_KEY,
                            timeout=settings.DATAGOUV_TIMEOUT)
    titre = schema_acteurs()["title"]
    with client:
        return [client.ressource_publier(
            dataset=settings.DATAGOUV_DATASET,
            titre=f"{titre} ({FORMATS_LIBELLES[d['format']]})",
            url=f"{site}/donnees/{d['nom']}",
            format=d["format"], mime=d["media"].split(";")[0], taille=d["taille"], sha256=d["sha256"],
            description=f"{d['lignes']} acteurs ; schéma {site}/donnees/schema.json (version {d['version_schema']}).",
            schema_url=f"{site}/donnees/schema.json",
        ) for d in deposes]


FORMATS_LIBELLES = {"csv": "CSV", "geojson": "GeoJSON", "parquet": "GeoParquet"}
