"""The pure rules of the enrichment flows (no Prefect, no database)."""

from __future__ import annotations

import pytest

from flows.enrichissement.regles import (
    Etablissement, acteur_anonymiser, code_postal_normaliser, departement_de_commune, etablissement_ferme_resoudre,
    territoire_attribuer, ville_corriger,
)

ETABLISSEMENTS = {
    "11111111100011": Etablissement("11111111100011", "F", "75011"),
    "11111111100029": Etablissement("11111111100029", "A", "69003", siege=True),
    "11111111100037": Etablissement("11111111100037", "A", "75011"),
    "22222222200012": Etablissement("22222222200012", "F", "56000"),
    "33333333300015": Etablissement("33333333300015", "A", "56100"),
    "44444444400018": Etablissement("44444444400018", "F", "44000"),
    "55555555500019": Etablissement("55555555500019", "F", "44000"),
}


def test_a_closed_siret_goes_to_its_open_successor_first():
    successions = [("22222222200012", "55555555500019", "2024-01-01"), ("22222222200012", "33333333300015", "2023-06-01")]
    d = etablissement_ferme_resoudre(siret="22222222200012", etablissements=ETABLISSEMENTS, successions=successions)
    assert (d.action, d.siret) == ("successeur", "33333333300015")  # the newer successor is closed too


def test_else_another_open_siret_of_the_same_siren_same_postcode_first():
    d = etablissement_ferme_resoudre(siret="11111111100011", etablissements=ETABLISSEMENTS, successions=[])
    assert (d.action, d.siret, d.raison) == ("autre_siret", "11111111100037", "même SIREN, même code postal")


def test_else_inactive_and_open_or_unknown_ones_are_left_alone():
    assert etablissement_ferme_resoudre(siret="44444444400018", etablissements=ETABLISSEMENTS, successions=[]).action == "inactif"
    assert etablissement_ferme_resoudre(siret="33333333300015", etablissements=ETABLISSEMENTS, successions=[]).action == "rien"
    assert etablissement_ferme_resoudre(siret="99999999900019", etablissements=ETABLISSEMENTS, successions=[]).action == "inconnu"


@pytest.mark.parametrize("value, expected", [
    ("75011", "75011"), ("75 011", "75011"), (1400, "01400"), ("1400", "01400"), ("75011 CEDEX 11", "75011"),
    ("56000.0", "56000"), ("7501", "07501"), ("750111", None), ("abcde", None), ("", None), (None, None), ("00000", None),
])
def test_postal_codes_are_normalised(value, expected):
    assert code_postal_normaliser(value) == expected


COMMUNES_PAR_CP = {"56000": [("56260", "Vannes")], "44000": [("44109", "Nantes")],
                   "49380": [("49149", "Bellevigne-en-Layon"), ("49301", "Terranjou")]}


@pytest.mark.parametrize("ville, cp, expected", [
    ("Vannes", "56000", ("56260", "Vannes", "identique")),
    ("VANNES", "56000", ("56260", "Vannes", "orthographe normalisée")),
    ("Vanes", "56000", ("56260", "Vannes", "faute de frappe corrigée")),
    ("Bellevigne en layon", "49380", ("49149", "Bellevigne-en-Layon", "orthographe normalisée")),
    ("Faye-d'Anjou", "49380", ("49149", "Bellevigne-en-Layon", "commune fusionnée")),
    ("Lorient", "56000", (None, None, "ville non reconnue pour ce code postal")),
])
def test_city_typos_and_merged_communes_are_corrected(ville, cp, expected):
    d = ville_corriger(ville=ville, code_postal=cp, communes_par_cp=COMMUNES_PAR_CP,
                       fusions={"faye d anjou": ("49149", "Bellevigne-en-Layon")})
    assert (d.code_insee, d.nom, d.raison) == expected


def test_commune_epci_departement_by_contour_then_postal_code():
    epci = {"56260": "200067932", "75056": "200054781"}
    by_point = territoire_attribuer(commune_du_point="75111", code_postal="75011", communes_par_cp={},
                                    epci_par_commune=epci, parent_arrondissement={"75111": "75056"})
    assert by_point.__dict__ == {"commune": "75111", "epci": "200054781", "departement": "75", "methode": "contour"}
    on_the_coast = territoire_attribuer(commune_du_point=None, code_postal="56000", communes_par_cp=COMMUNES_PAR_CP,
                                        epci_par_commune=epci)
    assert on_the_coast.__dict__ == {"commune": "56260", "epci": "200067932", "departement": "56", "methode": "code_postal"}
    ambiguous = territoire_attribuer(commune_du_point=None, code_postal="49380", communes_par_cp=COMMUNES_PAR_CP,
                                     epci_par_commune=epci)
    assert ambiguous.methode == "aucune" and ambiguous.commune is None
    assert [departement_de_commune(c) for c in ("2A004", "97411", "01001")] == ["2A", "974", "01"]


def test_a_natural_persons_name_is_replaced_by_the_sign_or_the_activity():
    kw = {"categorie_juridique": "1000", "nom_personne": "DUPONT", "prenoms": "Jean", "libelle_activite": "Réparation de vélos"}
    assert acteur_anonymiser(nom="Jean Dupont", enseigne="Vélo Malin", **kw) == "Vélo Malin"
    assert acteur_anonymiser(nom="DUPONT JEAN", enseigne="Dupont Cycles", **kw) == "Réparation de vélos"
    assert acteur_anonymiser(nom="Vélo Malin", enseigne=None, **kw) is None  # not the person's name
    assert acteur_anonymiser(nom="Jean Dupont", enseigne=None, **{**kw, "categorie_juridique": "5710"}) is None  # a company


def test_which_acteurs_are_geocoded():
    from flows.enrichissement.geocodage import a_geocoder

    base = {"adresse": "10 bd Voltaire", "code_postal": "75011", "ville": "Paris", "location": None,
            "adresse_geocodee": None, "geocodage_signale": None}
    here = "10 bd Voltaire 75011 Paris"
    assert a_geocoder(base)  # never geocoded, no location
    assert not a_geocoder({**base, "location": [2.36, 48.86]})  # located by its source
    assert a_geocoder({**base, "location": [2.36, 48.86], "adresse_geocodee": "1 rue X 75011 Paris",
                       "geocodage_signale": False})  # moved since
    assert a_geocoder({**base, "adresse_geocodee": here, "geocodage_signale": False})  # found, not applied yet
    assert not a_geocoder({**base, "adresse_geocodee": here, "geocodage_signale": True})  # flagged at this address
    assert not a_geocoder({**base, "adresse": "", "code_postal": "", "ville": ""})  # nothing to geocode
