"""Each acteur's geocoding keeps score, BAN id, result type and backend; under the threshold the
acteur gets no precise location and is flagged."""

from __future__ import annotations

import pytest

from geoapp.acteurs.models import Acteur
from geoapp.geocodage.selectors import GeocodeurHorsLigne
from geoapp.geocodage.services import geocodage_acteur_geocoder

pytestmark = pytest.mark.django_db(databases=["default", "warehouse"])


def acteur(identifiant: str, adresse: str, code_postal: str = "", ville: str = "") -> Acteur:
    return Acteur.objects.create(identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", nom="Ressourcerie",
                                 adresse=adresse, code_postal=code_postal, ville=ville)


def test_a_well_written_address_gets_its_location_and_the_ban_answer(ban_clone):
    acteur("test_1", "10 bd Voltaire", "75011", "Paris")

    g = geocodage_acteur_geocoder(acteur_id="test_1", geocodeur=GeocodeurHorsLigne(), seuil=0.6)

    assert (g.ban_id, g.type_resultat, g.backend, g.signale) == ("75111_9907_00010", "housenumber", "hors_ligne", False)
    assert g.score >= 0.9 and g.location is not None
    assert abs(g.location.x - 2.3677) < 0.002 and abs(g.location.y - 48.8653) < 0.002


def test_under_the_threshold_or_without_answer_no_location_and_flagged(ban_clone):
    acteur("test_2", "200 rue de Vaugirard", "75015", "Paris")  # no number 200: only the street
    acteur("test_3", "lieu-dit Nullepart", "", "Ailleurs")

    street = geocodage_acteur_geocoder(acteur_id="test_2", geocodeur=GeocodeurHorsLigne(), seuil=0.9)
    nothing = geocodage_acteur_geocoder(acteur_id="test_3", geocodeur=GeocodeurHorsLigne(), seuil=0.9)

    assert (street.type_resultat, street.ban_id, street.signale, street.location) == ("street", "75115_9624", True, None)
    assert street.score < 0.9
    assert (nothing.score, nothing.ban_id, nothing.signale, nothing.location) == (None, "", True, None)

    # geocoding again replaces the previous answer (one row per acteur)
    again = geocodage_acteur_geocoder(acteur_id="test_2", geocodeur=GeocodeurHorsLigne(), seuil=0.5)
    assert (again.signale, again.location is not None) == (False, True)


def test_the_batch_write_replaces_earlier_geocodings_and_keeps_every_character_and_coordinate():
    from geoapp.geocodage.models import GeocodageActeur
    from geoapp.geocodage.resultats import Resultat
    from geoapp.geocodage.services import geocodage_acteurs_enregistrer

    for i in range(3):
        acteur(f"test_lot_{i}", f"{i} rue Oberkampf", "75011", "Paris")
    premier = Resultat(label="1 rue Oberkampf 75011 Paris", score=0.95, id="75111_6945_00001",
                       type="housenumber", lon=2.367891234567, lat=48.864512345678)
    geocodage_acteurs_enregistrer(lignes=[("test_lot_0", "0 rue Oberkampf 75011 Paris", None),
                                          ("test_lot_1", "1 rue Oberkampf 75011 Paris", premier)],
                                  backend="hors_ligne", seuil=0.6)
    # the second run: a changed address answered with COPY's special characters, one under the threshold
    bizarre = Resultat(label="Cour\t«\\N» \\ 1\nbis", score=0.99, id="75111_x", type="housenumber",
                       lon=-61.534567891234, lat=16.241234567891)
    faible = Resultat(label="rue Oberkampf 75011 Paris", score=0.4, id="75111_6945", type="street",
                      lon=2.37, lat=48.86)
    geocodage_acteurs_enregistrer(lignes=[("test_lot_0", "0 rue Oberkampf, Paris", bizarre),
                                          ("test_lot_2", "2 rue Oberkampf 75011 Paris", faible)],
                                  backend="ban_api", seuil=0.6)

    lus = {g.acteur_id: g for g in GeocodageActeur.objects.all()}
    assert set(lus) == {"test_lot_0", "test_lot_1", "test_lot_2"}
    zero, un, deux = lus["test_lot_0"], lus["test_lot_1"], lus["test_lot_2"]
    assert (zero.adresse, zero.label, zero.backend, zero.ban_id, zero.signale) == (
        "0 rue Oberkampf, Paris", "Cour\t«\\N» \\ 1\nbis", "ban_api", "75111_x", False)
    assert (zero.location.x, zero.location.y) == (-61.534567891234, 16.241234567891)
    assert (un.backend, un.score, un.location.x, un.location.y) == ("hors_ligne", 0.95, 2.367891234567, 48.864512345678)
    assert (deux.signale, deux.location, deux.type_resultat) == (True, None, "street")
    assert zero.geocode_le > un.geocode_le


def test_the_batch_write_keeps_the_tables_constraints():
    from django.db import IntegrityError

    from geoapp.geocodage.models import GeocodageActeur
    from geoapp.geocodage.resultats import Resultat
    from geoapp.geocodage.services import geocodage_acteurs_enregistrer

    acteur("test_borne", "1 rue Oberkampf", "75011", "Paris")
    hors_borne = Resultat(label="1 rue Oberkampf", score=1.5, id="x", type="housenumber", lon=2.37, lat=48.86)

    with pytest.raises(IntegrityError, match="geocodage_score_0_1"):
        geocodage_acteurs_enregistrer(lignes=[("test_borne", "1 rue Oberkampf", hors_borne)], backend="hors_ligne")
    assert not GeocodageActeur.objects.exists()
