"""The flow `export-donnees-ouvertes` end to end (real Prefect API, moto S3, data.gouv.fr stand-in),
then the pages of /donnees/ serving what it deposited."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import BUCKET, PUBLIES, acteurs_regles, displayed

JOUR = "2026-12-01"


@pytest.fixture
def donnees(transactional_db):
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.acteurs.services import referentiel_load

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    DisplayedActeur.objects.bulk_create(acteurs_regles())


def _cles(s3) -> set[str]:
    return {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_export_flow_deposits_publishes_and_is_idempotent(prefect_api, donnees, s3, datagouv, client):
    from flows.donnees_ouvertes import export_donnees_ouvertes_flow
    from geoapp.donnees.models import ExportDonnees

    s3.put_object(Bucket=BUCKET, Key="acteurs/2026-10-31/acteurs.csv", Body=b"vieux")  # 31 days old
    s3.put_object(Bucket=BUCKET, Key="acteurs/2026-11-01/acteurs.csv", Body=b"recent")  # 30 days: kept

    premier = export_donnees_ouvertes_flow(jour=JOUR)
    assert premier["lignes"] == len(PUBLIES)
    cles = _cles(s3)
    for nom in ("acteurs.csv", "acteurs.geojson", "acteurs.parquet", "schema.json"):
        assert {f"acteurs/{JOUR}/{nom}", f"acteurs/latest/{nom}"} <= cles
    assert "acteurs/2026-10-31/acteurs.csv" not in cles and "acteurs/2026-11-01/acteurs.csv" in cles

    ressources = datagouv.datasets["acteurs-economie-circulaire"]["resources"]
    assert sorted(r["url"] for r in ressources) == [
        "https://circulaire.exemple.fr/donnees/acteurs.csv", "https://circulaire.exemple.fr/donnees/acteurs.geojson",
        "https://circulaire.exemple.fr/donnees/acteurs.parquet"]
    assert all(r["schema"] == {"url": "https://circulaire.exemple.fr/donnees/schema.json"} for r in ressources)
    empreintes = dict(ExportDonnees.objects.values_list("format", "sha256"))
    csv = s3.get_object(Bucket=BUCKET, Key="acteurs/latest/acteurs.csv")["Body"].read()
    assert hashlib.sha256(csv).hexdigest() == empreintes["csv"]

    # a second run the same day: same files, the same three resources updated, not created again
    second = export_donnees_ouvertes_flow(jour=JOUR)
    assert second["datagouv"] == premier["datagouv"]
    assert len(datagouv.datasets["acteurs-economie-circulaire"]["resources"]) == 3
    assert [m for m, _ in datagouv.requetes].count("PUT") == 3
    assert ExportDonnees.objects.count() == 3
    assert dict(ExportDonnees.objects.values_list("format", "sha256")) == empreintes

    # the pages serve what the flow deposited
    page = client.get("/donnees/")
    assert page.status_code == 200
    texte = page.content.decode()
    for nom in ("acteurs.csv", "acteurs.geojson", "acteurs.parquet"):
        export = ExportDonnees.objects.get(format=nom.split(".")[1])
        assert f'href="/donnees/{nom}"' in texte and f'data-octets="{export.taille}"' in texte
    assert "Licence Ouverte" in texte and "version 1.0.0" in texte
    reponse = client.get("/donnees/acteurs.csv")
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    assert b"".join(reponse.streaming_content) == csv
    geojson = json.loads(b"".join(client.get("/donnees/acteurs.geojson").streaming_content))
    assert {f["properties"]["identifiant"] for f in geojson["features"]} == PUBLIES
    assert b"".join(client.get("/donnees/acteurs.parquet").streaming_content)[:4] == b"PAR1"


def test_an_export_that_fails_its_schema_deposits_nothing(prefect_api, donnees, s3, datagouv):
    from flows.donnees_ouvertes import export_donnees_ouvertes_flow
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.donnees.models import ExportDonnees
    from geoapp.donnees.services import ExportInvalide

    DisplayedActeur.objects.bulk_create([displayed("faux", code_postal="7500A")])
    with pytest.raises(ExportInvalide, match="code_postal"):
        export_donnees_ouvertes_flow(jour=JOUR)
    assert _cles(s3) == set() and ExportDonnees.objects.count() == 0
    assert datagouv.requetes == []


def test_pages_before_any_export(db, client, settings):
    settings.DONNEES_URL_PUBLIQUE = ""
    page = client.get("/donnees/")
    assert page.status_code == 200 and "Aucun export n'a encore été publié." in page.content.decode()
    assert client.get("/donnees/acteurs.csv").status_code == 404
    schema = client.get("/donnees/schema.json")
    assert schema.status_code == 200 and schema["Content-Type"].startswith("application/schema+json")
    corps = json.loads(b"".join(schema.streaming_content))
    assert corps["fields"][0]["name"] == "identifiant" and corps["primaryKey"] == ["identifiant"]


def test_files_redirect_to_the_public_bucket_when_it_is_set(db, client, settings):
    import datetime as dt

    from geoapp.donnees.models import ExportDonnees

    ExportDonnees.objects.create(jour=dt.date(2026, 12, 1), format="parquet", cle="acteurs/2026-12-01/acteurs.parquet",
                                 cle_latest="acteurs/latest/acteurs.parquet", taille=10, lignes=1, sha256="0" * 64,
                                 version_schema="1.0.0")
    settings.DONNEES_URL_PUBLIQUE = "https://donnees.exemple.fr/acteurs/"
    reponse = client.get("/donnees/acteurs.parquet")
    assert reponse.status_code == 302
    assert reponse["Location"] == "https://donnees.exemple.fr/acteurs/latest/acteurs.parquet"


def test_a_file_missing_from_the_bucket_or_an_unreachable_bucket(db, client, settings, s3):
    import datetime as dt

    from geoapp.donnees.models import ExportDonnees

    ExportDonnees.objects.create(jour=dt.date(2026, 12, 1), format="csv", cle="acteurs/2026-12-01/acteurs.csv",
                                 cle_latest="acteurs/latest/acteurs.csv", taille=10, lignes=1, sha256="0" * 64,
                                 version_schema="1.0.0")
    assert client.get("/donnees/acteurs.csv").status_code == 404  # the bucket lost it
    settings.DONNEES_S3_ENDPOINT_URL = "http://127.0.0.1:9"
    reponse = client.get("/donnees/acteurs.csv")
    assert reponse.status_code == 503 and "indisponible" in reponse.content.decode()
