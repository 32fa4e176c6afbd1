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
