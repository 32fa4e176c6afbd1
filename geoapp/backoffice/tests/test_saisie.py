"""What staff type for a proposed value, read back (pure)."""

import pytest

from geoapp.backoffice.saisie import valeur_afficher, valeur_saisie_lire


@pytest.mark.parametrize(("champ", "texte", "valeur"), [
    ("nom", "  Repair Café  ", "Repair Café"),
    ("location", "2.3522, 48.8566", [2.3522, 48.8566]),
    ("location", "2.3522;48.8566", [2.3522, 48.8566]),
    ("location", "", None),
    ("uniquement_sur_rdv", "Oui", True),
    ("uniquement_sur_rdv", "non", False),
    ("uniquement_sur_rdv", "", None),
    ("perimetre_rayon_km", "12,5", 12.5),
    ("perimetre_departements", "75, 92,93,75", ["75", "92", "93"]),
    ("acteur_type", "", None),
])
def test_what_staff_type_is_read_as_the_value_of_a_ligne(champ, texte, valeur):
    assert valeur_saisie_lire(champ=champ, texte=texte) == valeur
    if valeur is not None:  # what the page shows reads back the same
        assert valeur_saisie_lire(champ=champ, texte=valeur_afficher(champ=champ, valeur=valeur)) == valeur


@pytest.mark.parametrize(("champ", "texte", "message"), [
    ("nom", "Repair\x00", "caractère nul"),
    ("location", "48.8566", "longitude, latitude"),
    ("location", "200, 48", "entre -180 et 180"),
    ("location", "nan, 48", "entre -180 et 180"),
    ("uniquement_sur_rdv", "peut-être", "oui, non ou vide"),
    ("perimetre_rayon_km", "-3", "positif"),
    ("perimetre_departements", "75, 9999", "3 caractères"),
])
def test_a_bad_value_gets_a_message_staff_can_read(champ, texte, message):
    with pytest.raises(ValueError, match=message):
        valeur_saisie_lire(champ=champ, texte=texte)
