"""The pure stages, without Prefect nor a database: normalisation with the declarative config,
validation, diff, report (the HTTP plumbing: geoapp/common/tests/test_http.py)."""

import json
from pathlib import Path

import pytest

from flows.sources.clients.http import SourceError
from flows.sources.config import ECO_ORGANISMES
from flows.sources.normalise import LigneRejetee, adresse_ban, eo_normaliser, t_telephone
from flows.sources.pipeline import diff_lignes, normaliser_tout, rapport_compteurs, record_empreinte
from doublures.sources import generateur
from flows.sources.validation import siret_valide

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "sources-examples" / "eo_record_example.json"


def test_every_documented_example_record_normalises_with_its_family_config():
    examples = json.loads(EXAMPLE.read_text())["examples"]
    cles = {c.dataset: cle for cle, c in ECO_ORGANISMES.items()}
    seen = set()
    for example in examples:
        cle = cles[example["dataset"].split()[0]]
        seen.add(cle)
        lignes = eo_normaliser(example["record"], ECO_ORGANISMES[cle])
        for ligne in lignes:
            assert ligne["source"] in ECO_ORGANISMES[cle].sources
            assert ligne["propositions"] and all(p["sous_categories"] for p in ligne["propositions"])
    assert seen == set(ECO_ORGANISMES)  # one config per documented family, no more


def test_config_switches_change_the_result_not_the_code():
    record = {**generateur.eo_records("citeo", 1)[0], "point_dapport_pour_reemploi": True,
              "labels_etou_bonus": "Agréé Bonus Réparation"}
    [citeo] = eo_normaliser(record, ECO_ORGANISMES["citeo"])
    record["ecoorganisme"] = "Valobat | Ecomaison"
    assert "rapporter" in [p["action"] for p in citeo["propositions"]]
    assert [l["source"] for l in eo_normaliser(record, ECO_ORGANISMES["ocab"])] == ["ocab_valobat", "ocab_ecomaison"]
    assert eo_normaliser(record, ECO_ORGANISMES["batribox"])[0]["source"] == "batribox"
    assert "refashion" in eo_normaliser({**record, "produitsdechets_acceptes": "Vêtement", "ecoorganisme": "Refashion"},
                                        ECO_ORGANISMES["refashion"])[0]["labels"]


def test_a_bad_row_is_rejected_with_its_reason_and_its_identifiant():
    record = {**generateur.eo_records("pyreo", 1)[0], "siret": "12"}
    with pytest.raises(LigneRejetee) as exc:
        eo_normaliser(record, ECO_ORGANISMES["pyreo"])
    assert exc.value.raison == "SIRET invalide : 12"
    assert exc.value.identifiant_unique == "pyreo_PYR-0000000"


def test_cleaning_rules():
    assert adresse_ban("12 Rue de la Roquette 75011 PARIS CEDEX 11") == ("12 Rue de la Roquette", "75011", "Paris")
    assert t_telephone("+33 1 40 00 00 00") == "0140000000"
    assert t_telephone("1 40 00 00 00", "75011") == "0140000000"
    assert siret_valide("73282932000074") and not siret_valide("73282932000075")


def test_every_row_is_accounted_for():
    records = generateur.eo_records("soren", 20)
    records = records + generateur.eo_bad_rows(records) + [{"unexpected": "x"}]
    result = normaliser_tout(records, normaliser=lambda r: eo_normaliser(r, ECO_ORGANISMES["soren"]),
                             referentiels=None, sources={"soren"},
                             champs_connus=frozenset(records[0]))
    assert len(result.lignes) + len(result.quarantaine) == len(records) == 26
    assert result.inconnus == {"unexpected": 1}


def test_diff_proposes_field_changes_and_deletes_only_the_absent_unprotected():
    base = {"identifiant_unique": "x_1", "source": "x", "nom": "A", "statut": "ACTIF", "telephone": "01"}
    actuelles = {"x_1": base, "x_2": {**base, "identifiant_unique": "x_2"}, "x_3": {**base, "identifiant_unique": "x_3"}}
    nouvelles = {"x_1": {**base, "telephone": "02"}, "x_4": {**base, "identifiant_unique": "x_4"}}
    propositions, counts = diff_lignes(actuelles=actuelles, nouvelles=nouvelles, proteges={"x_3"})
    assert counts == {"ajouts": 1, "modifications": 1, "inchanges": 0, "suppressions": 1, "proteges": 1}
    by_id = {p["identifiant_unique"]: p for p in propositions}
    assert by_id["x_1"]["changements"] == {"telephone": ["01", "02"]}
    assert by_id["x_2"]["type"] == "suppression" and "x_3" not in by_id
    report = rapport_compteurs(normalisation={"recues": 3, "quarantaine": 1}, diff=counts, ecrites={}, appliquees=None)
    assert report["ajouts"] + report["modifications"] + report["inchanges"] + report["quarantaine"] == report["recues"]


def test_generated_records_are_reproducible_and_sit_on_paris_addresses():
    a, b = generateur.eo_records("refashion", 5, seed=7), generateur.eo_records("refashion", 5, seed=7)
    assert a == b and a != generateur.eo_records("refashion", 5, seed=8)
    assert all(48.8 < r["latitudewgs84"] < 48.91 and 2.22 < r["longitudewgs84"] < 2.47 for r in a)
    assert all(siret_valide(r["siret"]) for r in a)


def test_known_records_are_not_normalised_again_and_still_add_up():
    records = generateur.eo_records("ocab", 6)  # OCAB: one record may give several lignes
    config = ECO_ORGANISMES["ocab"]
    empreintes = [record_empreinte(r, sel=b"v1") for r in records]
    assert empreintes == [record_empreinte(dict(reversed(r.items())), sel=b"v1") for r in records]  # canonical
    assert record_empreinte(records[0], sel=b"v2") != empreintes[0]  # new rules: every record is new
    first = normaliser_tout(records, normaliser=lambda r: eo_normaliser(r, config), referentiels=None, sources=None)
    connues = {empreintes[i]: [l["identifiant_unique"] for l in eo_normaliser(records[i], config)] for i in (0, 1)}
    changed = [*records[:5], {**records[5], "telephone": "0102030405"}]

    again = normaliser_tout(changed, normaliser=lambda r: eo_normaliser(r, config), referentiels=None, sources=None,
                            empreintes=[record_empreinte(r, sel=b"v1") for r in changed], connues=connues)

    assert sorted(again.inchangees) == sorted(i for ids in connues.values() for i in ids)
    assert set(again.lignes) | set(again.inchangees) == set(first.lignes)
    assert len(again.lignes) + len(again.inchangees) == again.recues + again.separees == first.recues + first.separees
    assert set(again.empreintes) == set(again.lignes)


def test_perimetre_dintervention_of_an_acteur_working_at_home():
    record = {**generateur.eo_records("ecodds", 1)[0], "service_a_domicile": "Oui",
              "perimetre_dintervention": "20 km|7|2A|123|Lune|5 km"}
    [ligne] = eo_normaliser(record, ECO_ORGANISMES["ecodds"])
    assert ligne["lieu_prestation"] == "SUR_PLACE_OU_A_DOMICILE"
    assert (ligne["perimetre_rayon_km"], ligne["perimetre_departements"]) == (20.0, ["07", "123", "2A"])
    [partout] = eo_normaliser({**record, "perimetre_dintervention": "France métropolitaine y compris DROM TOM"},
                              ECO_ORGANISMES["ecodds"])
    assert len(partout["perimetre_departements"]) == 96 + 5 and {"2B", "95", "976"} <= set(partout["perimetre_departements"])
    assert partout["perimetre_rayon_km"] is None
    # on site only: the perimeter is not read
    [sur_place] = eo_normaliser({**record, "service_a_domicile": "Non"}, ECO_ORGANISMES["ecodds"])
    assert "perimetre_departements" not in sur_place and sur_place["lieu_prestation"] == ""


def test_lignes_validated_together_get_the_reasons_one_by_one_gives():
    from flows.sources.validation import Referentiels, ligne_valider, lignes_valider

    [bonne] = eo_normaliser(generateur.eo_records("pyreo", 1)[0], ECO_ORGANISMES["pyreo"])
    ref = Referentiels(sources=frozenset({"pyreo"}), acteur_types=frozenset({bonne["acteur_type"]}),
                       labels=frozenset(bonne["labels"]), services=frozenset(bonne["acteur_services"]),
                       actions=frozenset(p["action"] for p in bonne["propositions"]),
                       sous_categories=frozenset(s for p in bonne["propositions"] for s in p["sous_categories"]))
    lignes = [bonne, {**bonne, "nom": " "}, {**bonne, "siret": "12345678901234"}, {**bonne, "code_postal": "7500"},
              {**bonne, "location": None}, {**bonne, "location": [-74.0, 40.7]}, {**bonne, "source": "autre"},
              {**bonne, "labels": ["inconnu"]}, {**bonne, "statut": "PERDU", "nom": ""},
              {k: v for k, v in bonne.items() if k != "nom"}, {**bonne, "location": ["x", 1.0]},
              {**bonne, "propositions": [{"action": "reparer"}]}, {**bonne, "telephone": 12}, dict(bonne)]

    def un(ligne):
        try:
            return ligne_valider(ligne, referentiels=ref, sources={"pyreo"})
        except ValueError as exc:
            return str(exc)

    attendu = [un(ligne) for ligne in lignes]
    assert lignes_valider(lignes, referentiels=ref, sources={"pyreo"}) == attendu
    assert attendu[0] == attendu[-1] == ligne_valider(bonne, referentiels=ref, sources={"pyreo"})
    assert sum(isinstance(r, str) for r in attendu) == len(lignes) - 2
    assert lignes_valider([], referentiels=ref, sources=None) == []


def test_batched_validation_keeps_the_order_of_records_for_duplicates_and_quarantine(monkeypatch):
    from flows.sources import pipeline

    records = generateur.eo_records("soren", 30)
    records = records[:10] + generateur.eo_bad_rows(records) + records[10:] + [dict(records[12])]
    normaliser = lambda r: eo_normaliser(r, ECO_ORGANISMES["soren"])  # noqa: E731
    resultats = []
    for par in (1, 3, 5000):  # one ligne per pydantic call (as one by one), small batches, one batch
        monkeypatch.setattr(pipeline, "VALIDATION_PAR", par)
        r = normaliser_tout(records, normaliser=normaliser, referentiels=None, sources={"soren"})
        resultats.append((list(r.lignes.items()), r.quarantaine))
    assert resultats[0] == resultats[1] == resultats[2]
    lignes, quarantaine = resultats[0]
    assert len(lignes) + len(quarantaine) == len(records)
    assert [q[0] for q in quarantaine] == sorted(q[0] for q in quarantaine)
    assert quarantaine[-1][0] == len(records) - 1 and quarantaine[-1][2].startswith("identifiant en double")


def test_the_benchmark_never_runs_two_flows_of_one_source_code_side_by_side():
    from bench.sources import files_paralleles

    sources = {"aliapur": ["aliapur"], "corepile": ["corepile", "ecosystem"], "citeo": ["citeo"],
               "ecosystem": ["ecosystem"], "ocab": ["ocab_valobat"], "soren": ["soren"]}
    files = files_paralleles(list(sources), 2, sources.get)
    assert len(files) == 2 and sorted(f for file in files for f in file) == sorted(sources)
    assert any({"corepile", "ecosystem"} <= set(file) for file in files)
    assert [sorted(file) for file in files_paralleles(list(sources), 1, sources.get)] == [sorted(sources)]


@pytest.mark.parametrize("lignes", [6, 3000])  # 3000: longer than the sample the delimiter is guessed on
@pytest.mark.parametrize("separateur", [";", ",", "\t"])
def test_an_s3_csv_file_is_read_whatever_its_delimiter(separateur, lignes):
    import csv
    import io

    from flows.sources.clients.datafair import Payload
    from flows.sources.clients.s3 import s3_rows

    rows = [{"identifiant_externe": str(i), "nom": f"Dupont, Fils & Cie {i}", "adresse": f"{i}, rue de la Roquette",
             "code_postal": "75011", "description": "ouvert; sur rendez-vous,\nle samedi" if i % 2 else "sans rdv"}
            for i in range(lignes)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=separateur, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)

    assert s3_rows(Payload("file", "s3://bucket/lvao/acteurs.csv", buffer.getvalue().encode("utf-8-sig"))) == rows


def test_an_s3_csv_file_without_a_known_delimiter_is_a_clear_error():
    from flows.sources.clients.datafair import Payload
    from flows.sources.clients.s3 import s3_rows

    with pytest.raises(SourceError, match="séparateur CSV introuvable"):
        s3_rows(Payload("file", "s3://bucket/lvao/acteurs.csv", b"identifiant_externe|nom\n1|Dupont\n2|Durand\n"))


def test_every_source_deployment_has_a_concurrency_limit():
    import yaml
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    from flows import REPO

    deployments = [d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
                   if d["entrypoint"].startswith("flows/sources/")]
    assert len(deployments) == len(ECO_ORGANISMES) + 4  # one per eco-organisme, cma, pharmacies, sinoe, s3
    for d in deployments:  # each source alone: a second run waits in Prefect's queue
        limite = d["concurrency_limit"]
        assert limite["limit"] == 1 and ConcurrencyLimitStrategy(limite["collision_strategy"]), d["name"]


def test_every_spec_reads_the_identifiant_of_a_row_that_no_rule_accepts():
    from flows.sources.clients.pharmacies import pharmacies_rows
    from flows.sources.registre import SPECS, spec_get

    records = {
        "cma": generateur.cma_records(3), "sinoe": generateur.sinoe_records(3),
        "pharmacies": [{**r, "_geocodage": None} for r in pharmacies_rows(generateur.pharmacies_zip(3))],
        "s3/lvao/acteurs.xlsx": generateur.s3_rows("lvao", 3), "ocab": generateur.eo_records("ocab", 3),
    }
    for flux, rows in records.items():
        spec = spec_get(flux)
        for record in rows:
            try:
                attendu = spec.normaliser(record)[0]["identifiant_unique"]
            except LigneRejetee as exc:
                attendu = exc.identifiant_unique
            assert attendu and spec.identifiant(record) == attendu, flux
    # only the identifier left readable: the eco-organisme's row still names its acteur
    record = {"id_point_apport_ou_reparation": "ALI-1", "ecoorganisme": "aliapur", "type_de_point_de_collecte": "?"}
    assert SPECS["aliapur"].identifiant(record) == "aliapur_ALI-1"
    assert SPECS["aliapur"].identifiant({"nom_de_lorganisme": ""}) is None
    assert SPECS["cma"].identifiant({"id": "CMA-9", "nom": "x", "categories": 12}) == "cma_reparacteur_CMA-9"
