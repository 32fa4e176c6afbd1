"""Deduplication rules, pure (no database, no Prefect): which acteurs a user would see merged into
one place, and which stay apart."""

from __future__ import annotations

import pickle

import pytest

from bench.dedoublonnage import jeu_etiquete, paires_predites, paires_vraies, precision_rappel
from flows.enrichissement.dedoublonnage import grappes_en_attente, propositions_regroupement
from flows.enrichissement.doublons import (FichesPartagees, doublons_trouver, fiche_depuis_acteur, lot_scorer,
                                           lots_former, paires_candidates, paires_scorer, scores_deballer,
                                           scores_emballer, telephone_normaliser)

pytestmark = pytest.mark.django_db(databases=[])

PARIS = (2.3700, 48.8500)


def a(ident: str, *, source: str = "refashion", nom: str = "Cordonnerie Martin", adresse: str = "12 boulevard Voltaire",
      siret: str = "", metres_est: float = 0.0, **champs) -> dict:
    lon = PARIS[0] + metres_est / 73_000
    return {"identifiant_unique": ident, "source": source, "nom": nom, "siret": siret, "siren": "", "adresse": adresse,
            "code_postal": "75011", "code_commune_insee": "75111", "location": [lon, PARIS[1]], "telephone": "",
            "email": "", "url": "", "parent": None, "est_parent": False, "modifie_le": "2026-01-01", **champs}


def grappes(acteurs: list[dict], **kw) -> list[set[str]]:
    fiches, found = doublons_trouver(acteurs, **kw)
    return [{fiches[i].identifiant_unique for i in g.membres} for g in found]


def test_one_place_spelt_differently_by_three_sources_is_one_cluster():
    acteurs = [
        a("refashion_1", nom="Cordonnerie Martin", adresse="12 boulevard Voltaire", siret="12345678900012",
          telephone="01 43 55 66 77"),
        a("cma_9", source="cma", nom="CORDONNERIE MARTIN SARL", adresse="12 bd Voltaire", metres_est=18,
          telephone="+33 1 43 55 66 77"),
        a("ecomaison_4", source="ecomaison", nom="cordonnerie martin", adresse="12, BD VOLTAIRE", metres_est=35,
          siret="12345678900012"),
    ]
    assert grappes(acteurs) == [{"refashion_1", "cma_9", "ecomaison_4"}]


def test_two_shops_at_one_address_stay_apart():
    acteurs = [a("refashion_1", nom="Cordonnerie Martin", siret="12345678900012"),
               a("cma_2", source="cma", nom="Boulangerie Dupont", siret="98765432100019", metres_est=3)]
    assert grappes(acteurs) == []


def test_a_chains_stores_in_one_street_stay_apart():
    acteurs = [a("refashion_1", nom="Cash Express", adresse="12 boulevard Voltaire", url="https://www.cashexpress.fr"),
               a("cma_2", source="cma", nom="CASH EXPRESS", adresse="40 boulevard Voltaire", metres_est=30,
                 url="www.cashexpress.fr/magasin")]
    assert grappes(acteurs) == []


def test_two_acteurs_of_one_source_are_never_grouped_unless_their_siret_says_so():
    pareils = [a("refashion_1"), a("refashion_2", metres_est=5)]
    assert grappes(pareils) == []
    meme_siret = [a("refashion_1", siret="12345678900012"), a("refashion_2", metres_est=5, siret="12345678900012")]
    assert grappes(meme_siret) == [{"refashion_1", "refashion_2"}]


def test_a_pair_staff_rejected_is_never_proposed_again():
    acteurs = [a("refashion_1"), a("cma_2", source="cma", metres_est=10)]
    assert grappes(acteurs) == [{"refashion_1", "cma_2"}]
    assert grappes(acteurs, rejetees={frozenset({"refashion_1", "cma_2"})}) == []


def test_an_existing_parent_keeps_its_children_and_gets_the_new_duplicate():
    acteurs = [a("refashion_1", parent="regroupement_p"), a("cma_2", source="cma", parent="regroupement_p", metres_est=8),
               a("ecomaison_3", source="ecomaison", nom="CORDONNERIE MARTIN", metres_est=15),
               {**a("regroupement_p", source=""), "est_parent": True}]
    fiches, found = doublons_trouver(acteurs)
    assert [{fiches[i].identifiant_unique for i in g.membres} for g in found] == [{"refashion_1", "cma_2", "ecomaison_3"}]
    [p] = propositions_regroupement(acteurs, fiches, found, en_attente=set())
    assert (p["parent"], p["nouveau_parent"], p["nouveaux_enfants"]) == ("regroupement_p", False, ["ecomaison_3"])


def test_two_existing_parents_are_not_merged_by_the_flow():
    acteurs = [a("refashion_1", parent="p1"), a("cma_2", source="cma", parent="p2", metres_est=8)]
    assert grappes(acteurs) == []


def test_a_new_parent_takes_each_field_from_the_configured_source_first_else_the_latest_child():
    acteurs = [a("refashion_1", nom="Cordonnerie Martin", modifie_le="2026-05-01", telephone="0143556677"),
               a("cma_2", source="cma", nom="CORDONNERIE MARTIN", metres_est=10, modifie_le="2026-09-01")]
    fiches, found = doublons_trouver(acteurs)
    [p] = propositions_regroupement(acteurs, fiches, found, en_attente=set())
    assert p["nouveau_parent"] and p["enfants"] == ["cma_2", "refashion_1"]
    assert (p["valeurs"]["nom"], p["provenance"]["nom"]) == ("CORDONNERIE MARTIN", "cma_2")  # the latest
    assert p["provenance"]["telephone"] == "refashion_1"  # the only one that has it
    [p] = propositions_regroupement(acteurs, fiches, found, en_attente=set(), priorite_sources=("refashion",))
    assert (p["valeurs"]["nom"], p["provenance"]["nom"]) == ("Cordonnerie Martin", "refashion_1")
    # one of them waits in a cluster staff have not decided on: nothing proposed, and said so
    assert propositions_regroupement(acteurs, fiches, found, en_attente={"cma_2"}) == []
    assert grappes_en_attente(acteurs, found, en_attente={"cma_2"}) == 1
    assert grappes_en_attente(acteurs, found, en_attente=set()) == 0


def test_phone_numbers_compare_whatever_their_writing():
    assert telephone_normaliser("01 43 55 66 77") == telephone_normaliser("+33 1 43 55 66 77") == "143556677"
    assert telephone_normaliser("0033143556677") == "143556677"
    assert telephone_normaliser("12") == ""


def test_the_labelled_set_meets_the_quality_targets():
    acteurs, verite = jeu_etiquete(acteurs=6000, graine=3)
    fiches, found = doublons_trouver(acteurs)
    precision, rappel = precision_rappel(
        paires_predites([[fiches[i].identifiant_unique for i in g.membres] for g in found]), paires_vraies(verite))
    assert precision >= 0.97 and rappel >= 0.90, (precision, rappel)


def test_the_stand_in_sources_publish_shared_places_that_the_deduplication_finds_and_hard_negatives_it_keeps_apart():
    from flows.sources.config import ECO_ORGANISMES
    from flows.sources.normalise import eo_normaliser
    from doublures.sources import generateur as generator

    acteurs, lieu_de = [], {}
    cles = ["refashion", "ecosystem", "soren", "corepile", "pyreo", "citeo"]
    for cle in cles:
        copies = generator.copies_partagees(cle, 40)
        for i, record in enumerate(generator.eo_records(cle, 40)):
            for ligne in eo_normaliser(record, ECO_ORGANISMES[cle]):
                acteurs.append({**ligne, "parent": None, "est_parent": False, "code_commune_insee": ""})
                if i in copies:  # which shared place it is: same BAN address and pool name
                    c = copies[i]
                    lieu_de[ligne["identifiant_unique"]] = (c["numero"], c["cp"], c["nom"].lower().removeprefix("ets "))
    fiches, found = doublons_trouver(acteurs)
    predites = paires_predites([[fiches[i].identifiant_unique for i in g.membres] for g in found])
    vraies = {frozenset(p) for p in paires_predites([[k for k, v in lieu_de.items() if v == lieu]
                                                     for lieu in set(lieu_de.values())])}
    assert len(vraies) >= 10  # places published by several sources
    precision, rappel = precision_rappel(predites, vraies)
    assert precision >= 0.97 and rappel >= 0.9, (precision, rappel, predites ^ vraies)


@pytest.mark.parametrize("taille", [1, 7, 500, 10**9])
def test_the_scoring_cut_into_lots_gives_the_pairs_of_one_pass_over_all_pairs(taille):
    acteurs, _ = jeu_etiquete(acteurs=1500, graine=5)
    fiches = [fiche_depuis_acteur(a) for a in acteurs]
    i, j, _, _ = paires_scorer(fiches, sorted(paires_candidates(fiches)))[0]
    fiches[i].parent = fiches[j].parent = "parent_1"  # a duplicate pair already under one parent: not scored
    paires = sorted(paires_candidates(fiches))
    reference = paires_scorer(fiches, paires)
    lots = lots_former(paires, taille=taille)
    assert [len(lot) for lot in lots] == [min(taille, len(paires) - k) for k in range(0, len(paires), taille)]
    # as on a Dask worker: the fiches pickled there once, each lot pickled there, its scored pairs
    # packed and pickled back
    arrivees = pickle.loads(pickle.dumps(FichesPartagees(fiches))).fiches
    assert arrivees == fiches
    scorees = [p for lot in lots for p in scores_deballer(pickle.loads(pickle.dumps(scores_emballer(
        lot_scorer(pickle.loads(pickle.dumps(lot)), arrivees)))))]
    assert scorees == reference and len(reference) > 300
    assert (i, j) in paires and (i, j) not in {(a, b) for a, b, _, _ in scorees}
