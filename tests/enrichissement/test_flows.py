"""The enrichment flows against real clones (loaded from the bundled files through the local
server): what staff see (one cohort per run, a group per acteur, field-level changes old → new),
what applying does to the displayed acteur (written on its revision, so a later import of the
source does not undo it), and that a second run proposes nothing again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

from geoapp.acteurs.models import Acteur, DisplayedActeur, RevisionActeur
from geoapp.acteurs.services import displayed_acteur_refresh, referentiel_load
from geoapp.geocodage.models import GeocodageActeur
from geoapp.suggestions.enrichissements import enrichissement_groupes_appliquer
from geoapp.suggestions.models import CohorteSuggestion, GroupeSuggestion
from geoapp.suggestions.services import suggestion_groupes_set_statut

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "warehouse"])

CLONES = ("sirene_etablissement", "sirene_unite_legale", "sirene_lien_succession", "laposte_code_postal",
          "insee_commune", "insee_epci", "contour_commune")


@pytest.fixture(scope="module")
def clones(warehouse, ban_clone, serveur_donnees_url):
    from flows.clones.chargement import clone_charger
    from flows.clones.jeux import JEUX
    from doublures.fichiers import sources_locales

    sources = sources_locales(serveur_donnees_url)
    for nom in CLONES:
        clone_charger(jeu=JEUX[nom], urls=sources[nom]["urls"], min_lignes=sources[nom]["min_lignes"])


@pytest.fixture
def base(clones, prefect_api):
    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")


def acteur(identifiant: str, *, location=(2.35, 48.85), **fields) -> str:
    Acteur.objects.create(identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", source_id="refashion",
                          acteur_type_id="commerce", nom=fields.pop("nom", f"Atelier {identifiant}"),
                          location=Point(*location, srid=4326) if location else None, **fields)
    return identifiant


def vue_staff(report: dict) -> dict[str, dict]:
    """The cohort of a run as the back office lists it: acteur → {champ: [old, new]}, all waiting."""
    groupes = GroupeSuggestion.objects.filter(cohorte_id=report["cohorte"]).prefetch_related("changements")
    assert {g.statut for g in groupes} == {"a_valider"}
    assert CohorteSuggestion.objects.get(pk=report["cohorte"]).type == "modification"
    return {g.identifiant_unique: {c.champ: [c.ancienne_valeur, c.nouvelle_valeur] for c in g.changements.all()}
            for g in groupes}


def appliquer(report: dict) -> dict:
    ids = list(GroupeSuggestion.objects.filter(cohorte_id=report["cohorte"]).values_list("pk", flat=True))
    suggestion_groupes_set_statut(groupe_ids=ids, statut="validee")
    counts = enrichissement_groupes_appliquer()
    assert counts["erreurs"] == 0 and counts["appliquees"] == len(ids)
    return counts


def affiche(identifiant: str) -> DisplayedActeur | None:
    return DisplayedActeur.objects.filter(pk=identifiant).first()


def test_geocoding_proposes_the_ban_position_and_flags_what_it_cannot_place(base):
    from flows.enrichissement.geocodage import enrichissement_geocodage_flow

    acteur("refashion_g1", location=None, adresse="10 bd Voltaire", code_postal="75011", ville="Paris")
    acteur("refashion_g2", location=None, adresse="lieu-dit Nullepart", ville="Ailleurs")
    acteur("refashion_g3", location=(2.36, 48.86), adresse="1 rue de la Roquette", code_postal="75011", ville="Paris")

    report = enrichissement_geocodage_flow()

    vue = vue_staff(report)
    assert list(vue) == ["refashion_g1"]  # g2: no answer; g3: located by its source, never geocoded
    old, (lon, lat) = vue["refashion_g1"]["location"]
    assert old is None and abs(lon - 2.3677) < 0.002 and abs(lat - 48.8653) < 0.002
    # its progress on the run's page: the addresses geocoded, complete
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [progres] = client.read_latest_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["geocodage"])))
    assert (progres.type, float(progres.data)) == ("progress", 100.0)
    flagged = GeocodageActeur.objects.get(acteur_id="refashion_g2")
    assert (flagged.signale, flagged.location) == (True, None)
    assert GeocodageActeur.objects.get(acteur_id="refashion_g1").ban_id == "75111_9907_00010"

    assert enrichissement_geocodage_flow()["cohorte"] is None  # nothing new: no second cohort
    appliquer(report)
    shown = affiche("refashion_g1")
    assert (round(shown.location.x, 6), round(shown.location.y, 6)) == (lon, lat)
    assert shown.provenance["location"] == "revision:refashion_g1"
    assert enrichissement_geocodage_flow()["cohorte"] is None

    # a département's part reads and geocodes its own acteurs only
    acteur("refashion_g4", location=None, adresse="1 la Canebière", code_postal="13001", ville="Marseille")
    acteur("refashion_g5", location=None, adresse="1 rue de Rivoli", code_postal="75004", ville="Paris")
    enrichissement_geocodage_flow(departement="75")
    assert GeocodageActeur.objects.filter(acteur_id="refashion_g5").exists()
    assert not GeocodageActeur.objects.filter(acteur_id="refashion_g4").exists()

    # the source moves the acteur: its new address is geocoded again
    Acteur.objects.filter(pk="refashion_g1").update(adresse="2 rue de la Roquette")
    moved = vue_staff(enrichissement_geocodage_flow())
    assert list(moved) == ["refashion_g1"] and moved["refashion_g1"]["location"][0] == [lon, lat]


def test_closed_establishments_get_their_successor_another_siret_or_are_proposed_inactive(base):
    from flows.enrichissement.etablissements_fermes import enrichissement_etablissements_fermes_flow

    acteur("refashion_f1", siret="00032517500016", siren="000325175")  # closed, successor 00032517500065
    acteur("refashion_f2", siret="00552024200032", siren="005520242")  # closed, another open SIRET
    acteur("refashion_f3", siret="00180725400014", siren="001807254")  # closed, nothing open
    acteur("refashion_f4", siret="00032517500065", siren="000325175")  # open
    displayed_acteur_refresh()

    report = enrichissement_etablissements_fermes_flow()

    assert vue_staff(report) == {
        "refashion_f1": {"siret": ["00032517500016", "00032517500065"]},
        "refashion_f2": {"siret": ["00552024200032", "00552024200081"]},
        "refashion_f3": {"statut": ["ACTIF", "INACTIF"]},
    }
    assert GroupeSuggestion.objects.get(identifiant_unique="refashion_f1").donnees["decision"] == "successeur"
    again = enrichissement_etablissements_fermes_flow()
    assert (again["cohorte"], again["deja_proposees"]) == (None, 3)

    appliquer(report)
    assert affiche("refashion_f1").siret == "00032517500065"
    assert affiche("refashion_f3") is None  # inactive: no longer on the map
    assert RevisionActeur.objects.get(pk="refashion_f3").statut == "INACTIF"
    # a later import of the source with the old SIRET does not undo the correction
    Acteur.objects.filter(pk="refashion_f1").update(siret="00032517500016")
    displayed_acteur_refresh()
    assert affiche("refashion_f1").siret == "00032517500065"
    assert enrichissement_etablissements_fermes_flow()["proposees"] == 0


def test_city_typos_merged_communes_and_postal_codes_are_corrected(base):
    from flows.enrichissement.villes import enrichissement_villes_flow

    acteur("refashion_v1", ville="Vanes", code_postal="56000")
    acteur("refashion_v2", ville="VANNES", code_postal="56000")
    acteur("refashion_v6", ville="L'Abergement-Clémenciat", code_postal="1400")  # a lost leading zero
    acteur("refashion_v3", ville="La Chapelle-Gaceline", code_postal="56200")
    acteur("refashion_v4", ville="Lorient", code_postal="56000")  # not a commune of 56000: left alone
    acteur("refashion_v5", ville="Vannes", code_postal="56000")

    report = enrichissement_villes_flow()

    assert vue_staff(report) == {
        "refashion_v1": {"ville": ["Vanes", "Vannes"]},
        "refashion_v2": {"ville": ["VANNES", "Vannes"]},
        "refashion_v6": {"code_postal": ["1400", "01400"]},
        "refashion_v3": {"ville": ["La Chapelle-Gaceline", "La Gacilly"]},
    }
    assert GroupeSuggestion.objects.get(identifiant_unique="refashion_v3").donnees["raison_ville"] == "commune fusionnée"
    assert enrichissement_villes_flow()["cohorte"] is None

    appliquer(report)
    assert affiche("refashion_v2").ville == "Vannes"
    assert affiche("refashion_v6").code_postal == "01400"
    assert affiche("refashion_v3").ville == "La Gacilly"
    assert enrichissement_villes_flow()["proposees"] == 0


def test_commune_by_contour_with_the_postal_code_for_points_outside_every_contour(base):
    from flows.enrichissement.territoires import enrichissement_territoires_flow

    acteur("refashion_t1", location=(2.3806, 48.8574), code_postal="75011")  # Place Léon Blum
    acteur("refashion_t2", location=(-3.3, 47.2), code_postal="56000")  # at sea: outside every contour
    acteur("refashion_t3", location=(2.3806, 48.8574), code_postal="75011", code_commune_insee="75111")

    report = enrichissement_territoires_flow()

    assert vue_staff(report) == {
        "refashion_t1": {"code_commune_insee": ["", "75111"]},
        "refashion_t2": {"code_commune_insee": ["", "56260"]},
    }
    contextes = {g.identifiant_unique: g.donnees for g in GroupeSuggestion.objects.filter(cohorte_id=report["cohorte"])}
    assert {k: contextes["refashion_t1"][k] for k in ("epci", "departement", "methode")} == {
        "epci": "200054781", "departement": "75", "methode": "contour"}
    assert contextes["refashion_t2"]["methode"] == "code_postal" and contextes["refashion_t2"]["departement"] == "56"
    assert enrichissement_territoires_flow()["cohorte"] is None

    appliquer(report)
    assert affiche("refashion_t2").code_commune_insee == "56260"
    assert enrichissement_territoires_flow()["proposees"] == 0


def test_a_natural_persons_name_is_replaced_by_the_sign_or_the_activity(base):
    from flows.enrichissement.rgpd import enrichissement_rgpd_flow

    acteur("refashion_r1", nom="Jean Martin", siret="00554155200039", siren="005541552")  # sign: LE SYMPA SNACK
    acteur("refashion_r2", nom="MARTIN Jean", siret="00554155200013", siren="005541552")  # no sign: the activity
    acteur("refashion_r3", nom="Atelier du centre", siret="00552007700016", siren="005520077")  # not her name
    acteur("refashion_r4", nom="Jean Martin", siret="00032517500065", siren="000325175")  # a company

    report = enrichissement_rgpd_flow()

    assert vue_staff(report) == {
        "refashion_r1": {"nom": ["Jean Martin", "LE SYMPA SNACK"]},
        "refashion_r2": {"nom": ["MARTIN Jean", "Hôtels et hébergement similaire"]},
    }
    assert enrichissement_rgpd_flow()["cohorte"] is None

    appliquer(report)
    assert affiche("refashion_r1").nom == "LE SYMPA SNACK"
    assert affiche("refashion_r2").provenance["nom"] == "revision:refashion_r2"
    assert enrichissement_rgpd_flow()["proposees"] == 0


@pytest.mark.django_db(databases=[])
def test_every_enrichment_flow_has_a_deployment_tagged_enrich():
    import importlib

    import yaml

    from flows import REPO
    from flows.enrichissement.tous import FLOWS

    by_function = {}
    for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]:
        path, function = d["entrypoint"].split(":")
        by_function[getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), function)] = d
    for nom, flow_function in FLOWS.items():
        assert "enrich" in by_function[flow_function]["tags"], f"no deployment tagged enrich for {nom}"


def test_a_clone_never_loaded_is_a_clear_error_and_nothing_is_written(base):
    from flows.enrichissement.commun import reference_lire
    from flows.enrichissement.rgpd import enrichissement_rgpd_flow
    from geoapp.common.databases import warehouse_connect

    acteur("refashion_x1", nom="Jean Martin", siret="00554155200039", siren="005541552")
    with warehouse_connect() as conn:
        conn.execute("ALTER VIEW reference.sirene_unite_legale RENAME TO sirene_unite_legale_cachee")
    try:
        with pytest.raises(RuntimeError, match="clone absent .*sirene_unite_legale.*lancer d'abord son flow de clone"):
            enrichissement_rgpd_flow()
    finally:
        with warehouse_connect() as conn:
            conn.execute("ALTER VIEW reference.sirene_unite_legale_cachee RENAME TO sirene_unite_legale")
    assert not GroupeSuggestion.objects.exists()
    assert reference_lire("SELECT count(*) FROM reference.sirene_unite_legale") == [(18,)]
