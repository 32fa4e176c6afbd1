"""The shared eco-organisme flow against the local data-fair server: suggestions, report,
idempotency, quarantine, auto policy."""

import pytest

from doublures.collecteur import Collecteur
from flows.sources import pipeline
from flows.sources.config import ECO_ORGANISMES
from flows.sources.eco_organismes import eco_organisme_flow
from flows.sources.normalise import eo_normaliser
from geoapp.acteurs.models import Acteur, DisplayedActeur
from geoapp.api.models import TuileCache
from geoapp.api.selectors import tuile_generation
from geoapp.common.databases import warehouse_connect
from geoapp.suggestions import services
from geoapp.suggestions.models import ExecutionSource, GroupeSuggestion
from geoapp.suggestions.selectors import acteur_lignes_par_sources

pytestmark = pytest.mark.usefixtures("source_db")


def test_a_run_proposes_every_valid_row_and_reports_counts_that_add_up(doublure_sources, settings):
    doublure_sources.config.bad_rows.add("refashion")

    with Collecteur() as passerelle:  # a Prometheus Pushgateway
        settings.PROMETHEUS_PUSHGATEWAY_URL = passerelle.url
        counts = eco_organisme_flow(source="refashion")

    assert counts["recues"] == 35  # 30 generated + 5 bad
    assert counts["ajouts"] == 30 and counts["quarantaine"] == 5
    assert counts["ajouts"] + counts["modifications"] + counts["inchanges"] + counts["quarantaine"] == counts["recues"]
    # review policy: nothing applied, 30 groups waiting in one ajout cohort
    assert not Acteur.objects.exists()
    assert GroupeSuggestion.objects.filter(statut="a_valider", cohorte__type="ajout").count() == 30
    run = ExecutionSource.objects.get(flux="refashion")
    assert run.statut == "reussie" and run.fin is not None and run.compteurs == counts
    reasons = {q["ligne"]["id_point_apport_ou_reparation"]: q["raison"]
               for q in pipeline.quarantaine_read(run_id=run.run_id)}
    assert reasons["BAD-COORD"].endswith("coordonnées manquantes")
    assert "hors de France" in reasons["BAD-NYC"]
    assert "SIRET invalide" in reasons["BAD-SIRET"]
    assert reasons["BAD-PROD"] == "libellé de produit inconnu : Objets introuvables"
    assert reasons["REF-0000000"] == "identifiant en double : refashion_REF-0000000"
    # every payload is archived and replays offline to the same lignes
    assert [p.kind for p in pipeline.payloads_read(run_id=run.run_id)][:2] == ["schema", "page"]
    # the run's duration, success and rows per stage, as the source's own job on the Pushgateway
    [poussee] = [r for r in passerelle.requetes if r.chemin == "/metrics/job/circulaire_source_eco_organisme_refashion"]
    texte = poussee.corps.decode()
    assert 'circulaire_flux_lignes{etape="recues"} 35.0' in texte
    assert 'circulaire_flux_lignes{etape="quarantaine"} 5.0' in texte
    assert "circulaire_flux_succes 1.0" in texte


def test_running_twice_creates_no_new_suggestion(doublure_sources):
    eco_organisme_flow(source="citeo")
    before = GroupeSuggestion.objects.count()

    counts = eco_organisme_flow(source="citeo")

    assert GroupeSuggestion.objects.count() == before == 30
    assert counts["suggestions_ecrites"] == 0 and counts["deja_proposees"] == 30


def test_auto_policy_applies_and_the_map_shows_the_acteurs_then_a_new_extract_gives_field_changes(doublure_sources):
    services.politique_set(source_codes=["ecologic"], politique="auto")

    first = eco_organisme_flow(source="ecologic")

    assert first["appliquees"] == 30
    assert DisplayedActeur.objects.filter(sources__contains=["ecologic"]).count() == 30
    # the run published them: the map's low-zoom tiles of that publication are computed ahead
    assert TuileCache.objects.filter(cle="0/0/0", generation=tuile_generation()).exists()
    # same extract again: everything unchanged, nothing written
    again = eco_organisme_flow(source="ecologic")
    assert (again["inchanges"], again["suggestions_ecrites"]) == (30, 0)
    # a new extract changes 3 phone numbers and loses one row: field-level changes and one deletion
    doublure_sources.config.versions["ecologic"] = 1
    doublure_sources.config.sizes["ecologic"] = 29
    third = eco_organisme_flow(source="ecologic")
    assert (third["modifications"], third["suppressions"], third["inchanges"]) == (3, 1, 26)
    changes = GroupeSuggestion.objects.filter(cohorte__type="modification").values_list("changements__champ", flat=True)
    assert set(changes) == {"telephone"}
    assert Acteur.objects.get(pk="ecologic_ECO-0000010").telephone == "0199011000"
    assert Acteur.objects.get(pk="ecologic_ECO-0000029").statut == "SUPPRIME"
    assert DisplayedActeur.objects.filter(sources__contains=["ecologic"]).count() == 29


def test_a_quarantined_row_never_deletes_its_acteur(doublure_sources):
    services.politique_set(source_codes=["valdelia"], politique="auto")
    eco_organisme_flow(source="valdelia")
    # the next extract carries VAL-0000003 with an invalid SIRET
    original = doublure_sources.dataset("donnees-eo-valdelia")
    doublure_sources._cache = {k: [dict(r, siret="123") if r["id_point_apport_ou_reparation"] == "VAL-0000003" else r
                           for r in v] for k, v in doublure_sources._cache.items()}

    counts = eco_organisme_flow(source="valdelia")

    assert counts["quarantaine"] == 1 and counts["suppressions"] == 0
    assert Acteur.objects.get(pk="valdelia_VAL-0000003").statut == "ACTIF"
    assert len(original) == 30


def test_replaying_a_run_reads_its_archive_without_the_network(doublure_sources):
    eco_organisme_flow(source="soren")
    run_id = ExecutionSource.objects.get(flux="soren").run_id
    doublure_sources.permanent_faults["donnees-eo-soren"] = "500"  # the network is gone

    counts = eco_organisme_flow(source="soren", rejouer=run_id)

    assert counts["recues"] == 30 and counts["deja_proposees"] == 30


def test_two_datasets_feeding_one_source_code_never_delete_each_other(doublure_sources):
    services.politique_set(source_codes=["corepile", "ecosystem"], politique="auto")
    corepile = eco_organisme_flow(source="corepile")  # its rows are corepile or ecosystem points
    from_corepile = Acteur.objects.filter(source_id="ecosystem").count()
    assert from_corepile > 0 and corepile["ajouts"] == 30

    ecosystem = eco_organisme_flow(source="ecosystem")

    assert ecosystem["suppressions"] == 0
    assert Acteur.objects.filter(source_id="ecosystem", statut="ACTIF").count() == from_corepile + 30


def test_a_rerun_without_change_skips_known_records_and_an_acteur_edited_since_is_proposed_again(doublure_sources):
    services.politique_set(source_codes=["ecomaison"], politique="auto")
    doublure_sources.config.bad_rows.add("ecomaison")  # 30 rows + 5 bad ones, among them a duplicate of ECO-0000000
    first = eco_organisme_flow(source="ecomaison")
    assert (first["ajouts"], first["quarantaine"], first["inchanges_par_empreinte"]) == (30, 5, 0)

    again = eco_organisme_flow(source="ecomaison")

    # known records are not normalised again; the counts still add up to the rows received
    assert (again["recues"], again["inchanges"], again["inchanges_par_empreinte"]) == (35, 30, 30)
    assert (again["quarantaine"], again["suppressions"], again["suggestions_ecrites"]) == (5, 0, 0)
    second = ExecutionSource.objects.filter(flux="ecomaison").order_by("-debut").first().run_id
    reasons = [q["raison"] for q in pipeline.quarantaine_read(run_id=second)]
    assert "identifiant en double : ecomaison_ECO-0000000" in reasons
    # the same pages were not archived twice, and the run still replays without the network
    with warehouse_connect() as conn:
        bodies, payloads = conn.execute("SELECT count(body), count(*) FROM raw.source_payload WHERE run_id = %s",
                                        [second]).fetchone()
    assert bodies == 0 < payloads
    assert eco_organisme_flow(source="ecomaison", rejouer=second)["recues"] == 35
    # staff edit an acteur by hand: its record is read again and the source's value proposed back
    acteur = Acteur.objects.get(pk="ecomaison_ECO-0000004")
    telephone, acteur.telephone = acteur.telephone, "0999999999"
    acteur.save()

    third = eco_organisme_flow(source="ecomaison")

    assert (third["modifications"], third["inchanges"], third["inchanges_par_empreinte"]) == (1, 29, 29)
    assert Acteur.objects.get(pk="ecomaison_ECO-0000004").telephone == telephone
    assert eco_organisme_flow(source="ecomaison")["inchanges_par_empreinte"] == 30


def test_the_perimetre_dintervention_reaches_the_acteurs_on_the_map(doublure_sources):
    services.politique_set(source_codes=["ecodds"], politique="auto")

    eco_organisme_flow(source="ecodds")

    records = {f"ecodds_{r['id_point_apport_ou_reparation']}": r for r in doublure_sources.dataset("donnees-eo-ecodds")}
    a_domicile = DisplayedActeur.objects.filter(sources__contains=["ecodds"]).exclude(lieu_prestation="")
    by_area = {a.identifiant_unique: (a.perimetre_rayon_km, a.perimetre_departements) for a in a_domicile}
    assert {records[i]["perimetre_dintervention"] for i in by_area} == {
        "20 km", "75|92|93|94", "France métropolitaine", "", "5 km|2A|2B"}
    for ident, (rayon, departements) in by_area.items():
        perimetre = records[ident]["perimetre_dintervention"]
        if perimetre == "20 km":
            assert (rayon, departements) == (20.0, [])
        elif perimetre == "75|92|93|94":
            assert (rayon, departements) == (None, ["75", "92", "93", "94"])
        elif perimetre == "5 km|2A|2B":
            assert (rayon, departements) == (5.0, ["2A", "2B"])
        elif perimetre == "France métropolitaine":
            assert rayon is None and len(departements) == 96
    # what was applied reads back as the lignes the source gives: a diff would find nothing
    clean = pipeline.normaliser_tout(list(records.values()), referentiels=None, sources=None,
                                     normaliser=lambda r: eo_normaliser(r, ECO_ORGANISMES["ecodds"]))
    assert acteur_lignes_par_sources(source_codes=["ecodds"]) == clean.lignes
    assert not DisplayedActeur.objects.filter(sources__contains=["ecodds"], lieu_prestation="").exclude(
        perimetre_departements=[]).exists()


def test_a_rerun_of_the_same_payloads_with_every_record_known_does_not_parse_them(doublure_sources, monkeypatch):
    from dataclasses import replace

    from flows.sources import registre

    services.politique_set(source_codes=["soren"], politique="auto")
    first = eco_organisme_flow(source="soren")
    assert (first["ajouts"], first["appliquees"]) == (30, 30)

    def ne_pas_lire(payloads):
        raise AssertionError("payloads parsed again")

    monkeypatch.setitem(registre.SPECS, "soren", replace(registre.SPECS["soren"], records=ne_pas_lire))
    again = eco_organisme_flow(source="soren")

    # the same bytes, every record known: the fingerprints of the last extract, no parsing
    assert (again["recues"], again["inchanges"], again["inchanges_par_empreinte"]) == (30, 30, 30)
    assert (again["quarantaine"], again["suppressions"], again["suggestions_ecrites"]) == (0, 0, 0)
    second = ExecutionSource.objects.filter(flux="soren").order_by("-debut").first().run_id
    with warehouse_connect() as conn:
        staged = conn.execute("SELECT count(*) FROM staging.source_ligne WHERE run_id = %s AND ligne IS NULL",
                              [second]).fetchone()[0]
    assert staged == 30  # present in the extract: never proposed for deletion
    # an acteur edited since: its record is no longer known, the payloads are parsed
    acteur = Acteur.objects.get(pk="soren_SOR-0000003")
    acteur.telephone = "0999999999"
    acteur.save()
    with pytest.raises(Exception, match="payloads parsed again"):
        eco_organisme_flow(source="soren")
    monkeypatch.undo()
    third = eco_organisme_flow(source="soren")
    assert (third["modifications"], third["inchanges"], third["inchanges_par_empreinte"]) == (1, 29, 29)
    # a new extract (other bytes): parsed, the changes proposed
    doublure_sources.config.versions["soren"] = 1
    fourth = eco_organisme_flow(source="soren")
    assert fourth["modifications"] == 3 and fourth["recues"] == 30
