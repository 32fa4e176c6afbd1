"""Communes, EPCI and départements from the bundled contours; which commune contains a point."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection

from geoapp.territoires.models import Commune, Departement, Epci
from geoapp.territoires.selectors import commune_containing
from geoapp.territoires.services import territoire_load_bundled

GEO_DIR = Path(settings.DATA_DIR) / "geo"


@pytest.fixture(scope="module")
def territoires(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = territoire_load_bundled(geo_dir=GEO_DIR)
        yield report
        Commune.objects.all().delete()
        Epci.objects.all().delete()
        Departement.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lon, lat, code",
    [
        (2.37095, 48.85331, "75111"),  # place de la Bastille side, 11e (bd Richard-Lenoir)
        (2.29448, 48.85826, "75107"),  # Tour Eiffel
        (2.35222, 48.85661, "75104"),  # Hôtel de Ville
        (2.25000, 48.86250, "75116"),  # Bois de Boulogne
        (2.43260, 48.83500, "75112"),  # Bois de Vincennes
        (2.24070, 48.83560, "92012"),  # Boulogne-Billancourt, outside Paris
        (-3.36600, 47.74800, "56121"),  # Lorient
    ],
)
def test_the_commune_containing_a_point_is_the_arrondissement_in_paris(territoires, lon, lat, code):
    assert commune_containing(longitude=lon, latitude=lat).code == code


@pytest.mark.django_db
def test_a_point_outside_every_contour_has_no_commune(territoires):
    assert commune_containing(longitude=-5.5, latitude=47.0) is None  # Atlantic


@pytest.mark.django_db
def test_a_point_on_the_edge_of_two_arrondissements_gets_one_stable_answer(territoires):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_X(p), ST_Y(p) FROM (
                 SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(a.geom, 1)), 1) AS p
                 FROM territoires_commune a WHERE a.code = '75111') s"""
        )
        lon, lat = cursor.fetchone()
    containing = [c.code for c in Commune.objects.filter(geom__intersects=f"SRID=4326;POINT({lon} {lat})",
                                                         type="arrondissement_municipal")]
    assert "75111" in containing
    assert commune_containing(longitude=lon, latitude=lat).code == min(containing)


@pytest.mark.django_db
def test_bundled_contours_are_loaded_once(territoires):
    assert territoires["communes"] > 35000
    assert Commune.objects.filter(type="arrondissement_municipal", code__startswith="751", geom__isnull=False).count() == 20
    paris_11 = Commune.objects.get(code="75111")
    assert paris_11.epci_id == "200054781"  # Métropole du Grand Paris
    assert paris_11.codes_postaux == ["75011"]
    assert Epci.objects.get(code="200054781").geom is not None
    assert Departement.objects.get(code="75").geom.geom_type == "MultiPolygon"

    assert territoire_load_bundled(geo_dir=GEO_DIR) == {"departements": 0, "epci": 0, "communes": 0, "epci_contours": 0}


@pytest.mark.django_db
def test_an_invalid_contour_is_refused_by_the_database(territoires):
    bowtie = "SRID=4326;MULTIPOLYGON(((0 0, 1 1, 1 0, 0 1, 0 0)))"
    with pytest.raises(IntegrityError, match="commune_geom_valid"):
        Commune.objects.create(code="99999", nom="Nœud papillon", geom=bowtie)


@pytest.mark.django_db
def test_an_invalid_bundled_contour_is_repaired(tmp_path, territoires):
    import json
    import shutil

    shutil.copytree(GEO_DIR / "decoupage-administratif-6.0.0", tmp_path / "decoupage-administratif-6.0.0")
    shutil.copy(GEO_DIR / "france-geojson-2018_departements-version-simplifiee.geojson", tmp_path)
    shutil.copy(GEO_DIR / "paris-arrondissements-municipaux.geojson", tmp_path)
    bowtie = {"type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, 48.1], [2.1, 48.0], [2.0, 48.1], [2.0, 48.0]]]}
    (tmp_path / "france-geojson-2018_communes-75-paris.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "75056", "nom": "Paris"},
                                                    "geometry": bowtie}]}))

    territoire_load_bundled(geo_dir=tmp_path)

    paris = Commune.objects.get(code="75056")
    assert paris.geom.valid and paris.geom.geom_type == "MultiPolygon" and len(paris.geom) == 2
