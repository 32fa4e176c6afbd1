"""The export's files on known displayed acteurs: what is published and what never is, in every
format; the Table Schema holds (frictionless); GDAL / geopandas read the files back identical."""

from __future__ import annotations

import csv
import json

import pytest

from .conftest import EMAIL, MOBILE, MOBILE_INTERNATIONAL, NOM_OFFICIEL, PUBLIES, SECRET_ADRESSE, acteurs_regles

pytestmark = pytest.mark.usefixtures("referentiels_territoires")
FORMATS = ("acteurs.csv", "acteurs.geojson", "acteurs.parquet")


@pytest.fixture
def export(db, tmp_path):
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.donnees.services import export_fichiers_ecrire

    DisplayedActeur.objects.bulk_create(acteurs_regles())
    lignes = export_fichiers_ecrire(dossier=tmp_path)
    return tmp_path, lignes


def _csv(dossier) -> dict[str, dict]:
    with (dossier / "acteurs.csv").open(encoding="utf-8", newline="") as f:
        return {r["identifiant"]: r for r in csv.DictReader(f)}


def test_the_export_validates_against_its_table_schema(export):
    from geoapp.donnees.selectors import schema_champs
    from geoapp.donnees.services import export_fichiers_valider

    dossier, lignes = export
    assert lignes == len(PUBLIES)
    assert export_fichiers_valider(dossier=dossier, lignes=lignes) == {"csv": 7, "geojson": 7, "parquet": 7}
    with (dossier / "acteurs.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == schema_champs()


def test_only_open_sources_acteurs_open_to_the_public_are_published(export):
    dossier, _ = export
    rows = _csv(dossier)
    assert set(rows) == PUBLIES
    # a parent with an open child is published, naming only its open sources
    assert json.loads(rows["uuid-parent"]["sources"]) == ["refashion"]


@pytest.mark.parametrize("fichier", FORMATS)
def test_nothing_private_appears_in_any_format(export, fichier):
    dossier, _ = export
    if fichier.endswith(".parquet"):  # compressed pages: compare the values read back
        import pyarrow.parquet as pq

        contenu = json.dumps(pq.read_table(dossier / fichier).drop(["geometry"]).to_pylist(), default=str,
                             ensure_ascii=False).encode()
        assert b"uuid-ouvert" in contenu
    else:
        contenu = (dossier / fichier).read_bytes()
    for secret in (SECRET_ADRESSE, MOBILE, MOBILE_INTERNATIONAL, EMAIL, NOM_OFFICIEL, "Seulement CMA",
                   "Réservé aux pros", "uuid-non_ouvert", "uuid-pros", "12345678901234"):
        assert secret.encode() not in contenu, (fichier, secret)


def test_published_values(export):
    dossier, _ = export
    rows = _csv(dossier)
    ouvert = rows["uuid-ouvert"]
    assert ouvert["nom"] == 'Atelier "La Rustine", vélos\net cadres'
    assert (ouvert["adresse"], ouvert["code_postal"], ouvert["code_commune_insee"]) == ("1 rue de Rivoli", "75004", "75104")
    assert ouvert["commune"].startswith("Paris") and ouvert["code_epci"] == "200054781"
    assert (float(ouvert["latitude"]), float(ouvert["longitude"])) == (48.8566, 2.3522)
    assert json.loads(ouvert["propositions"]) == [{"action": "reparer", "sous_categories": ["velo"]}]
    assert json.loads(ouvert["labels"]) == ["qualirepar"] and json.loads(ouvert["services"]) == ["service_de_reparation"]
    assert ouvert["telephone"] == "01 02 03 04 05" and ouvert["site_web"] == "https://exemple.fr/rustine"
    assert ouvert["modifie_le"] == "" or ouvert["modifie_le"].endswith("Z")
    assert rows["uuid-mobile"]["telephone"] == "" and rows["uuid-mobile_international"]["telephone"] == ""
    domicile = rows["uuid-domicile"]
    assert (domicile["adresse"], domicile["adresse_complement"]) == ("", "")
    assert (float(domicile["latitude"]), float(domicile["longitude"])) == (48.86, 2.36)  # ~1 km, not the house
    assert rows["uuid-boulogne"]["commune"] == "Boulogne-Billancourt"
    assert rows["uuid-sans_position"]["latitude"] == ""


def test_gdal_and_geopandas_read_back_the_same_rows(export):
    import geopandas
    import pyogrio

    dossier, _ = export
    rows = _csv(dossier)
    geojson = pyogrio.read_dataframe(dossier / "acteurs.geojson")  # GDAL's GeoJSON driver
    parquet = geopandas.read_parquet(dossier / "acteurs.parquet")
    assert parquet.crs.to_epsg() == 4326
    for lu in (geojson, parquet):
        assert sorted(lu["identifiant"]) == sorted(rows)
        par_id = lu.set_index("identifiant")
        assert par_id.loc["uuid-ouvert", "nom"] == rows["uuid-ouvert"]["nom"]
        point = par_id.loc["uuid-ouvert", "geometry"]
        assert (round(point.x, 6), round(point.y, 6)) == (2.3522, 48.8566)
        assert par_id.loc["uuid-sans_position", "geometry"] is None
        assert par_id.loc["uuid-domicile", "adresse"] in ("", None)
    # GeoJSON keeps lists as lists; the GeoParquet carries the CSV's columns and types
    features = {f["properties"]["identifiant"]: f for f in json.loads((dossier / "acteurs.geojson").read_text())["features"]}
    assert features["uuid-ouvert"]["properties"]["labels"] == ["qualirepar"]
    assert features["uuid-ouvert"]["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    assert list(parquet.columns) == [*next(iter(rows.values())).keys(), "geometry"]


def test_an_export_that_breaks_its_schema_fails_loudly(db, tmp_path):
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.donnees.services import ExportInvalide, export_fichiers_ecrire, export_fichiers_valider

    DisplayedActeur.objects.bulk_create([*acteurs_regles(), displayed_invalide()])
    lignes = export_fichiers_ecrire(dossier=tmp_path)
    with pytest.raises(ExportInvalide, match="code_postal"):
        export_fichiers_valider(dossier=tmp_path, lignes=lignes)


def displayed_invalide():
    from .conftest import displayed

    return displayed("code_postal_faux", code_postal="7500A")
