"""Cloned contours and communes reach the web app's commune / EPCI / département tables through
postgres_fdw with atomic swaps; the foreign keys between them survive."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from geoapp.territoires.clones import territoires_publier_depuis_clones
from geoapp.territoires.models import Commune, Departement, Epci
from geoapp.territoires.selectors import commune_containing


@pytest.fixture(scope="module")
def clones_territoires(warehouse, serveur_donnees_url):
    from flows.clones.chargement import clone_charger
    from flows.clones.jeux import JEUX
    from doublures.fichiers import sources_locales

    sources = sources_locales(serveur_donnees_url)
    for nom in ("insee_commune", "insee_epci", "insee_departement", "contour_commune", "contour_departement"):
        clone_charger(jeu=JEUX[nom], urls=sources[nom]["urls"], min_lignes=sources[nom]["min_lignes"])


@pytest.mark.django_db
def test_territories_come_from_the_clones_with_their_contours_and_links(clones_territoires):
    Departement.objects.create(code="99", nom="Ancien")  # replaced, not kept

    report = territoires_publier_depuis_clones()

    assert report == {"departements": 109, "epci": 1255, "communes": 34969 + 45}
    assert not Departement.objects.filter(code="99").exists()
    assert Departement.objects.get(code="56").geom.geom_type == "MultiPolygon"
    paris_11 = Commune.objects.select_related("epci").get(code="75111")
    assert (paris_11.type, paris_11.commune_parente, paris_11.departement, paris_11.codes_postaux) == (
        "arrondissement_municipal", "75056", "75", ["75011"])
    assert paris_11.epci.nom == "Métropole du Grand Paris"
    assert commune_containing(longitude=2.3806, latitude=48.8574).code == "75111"
    assert Epci.objects.get(nom="Métropole du Grand Paris").geom.contains(Point(2.3806, 48.8574, srid=4326))
    assert Commune.objects.filter(geom__isnull=False).count() >= 600
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
                       "AND confrelid = %s::regclass", [Commune._meta.db_table, Epci._meta.db_table])
        assert cursor.fetchone()[0] == 1  # the commune → EPCI foreign key is back

    again = territoires_publier_depuis_clones()  # idempotent
    assert again == report
    assert Commune.objects.get(code="75111").epci_id == paris_11.epci_id
