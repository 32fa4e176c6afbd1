"""The displayed acteurs computed in the warehouse (through postgres_fdw) and swapped in."""

import pytest
from django.contrib.gis.geos import Point
from django.db import DatabaseError, connection

from geoapp.acteurs.models import (
    Acteur,
    DisplayedActeur,
    PropositionService,
    RevisionActeur,
    RevisionPropositionService,
)
from geoapp.acteurs.services import displayed_acteur_refresh
from geoapp.common.databases import table_swap

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def acteur(identifiant, *, source="ecosystem", propositions=None, **fields):
    obj = Acteur.objects.create(
        identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", identifiant_externe=identifiant.split("_", 1)[1],
        source_id=source, **{"nom": f"Acteur {identifiant}", "acteur_type_id": "commerce", **fields},
    )
    for action, sous_categories in (propositions or {}).items():
        PropositionService.objects.create(acteur=obj, action_id=action).sous_categories.set(sous_categories)
    return obj


def test_a_non_empty_revision_field_overrides_the_imported_one_field_by_field():
    acteur("ecosystem_1", adresse="3 rue de la Paix", telephone="01 02 03 04 05", ville="Paris",
           location=Point(2.33, 48.87, srid=4326), uniquement_sur_rdv=True,
           propositions={"reparer": ["ecran"]})
    RevisionActeur.objects.create(identifiant_unique="ecosystem_1", adresse="5 rue de la Paix", telephone="",
                                  uniquement_sur_rdv=False)

    displayed_acteur_refresh()

    d = DisplayedActeur.objects.get(identifiant_unique="ecosystem_1")
    assert d.adresse == "5 rue de la Paix"  # corrected by staff
    assert d.telephone == "01 02 03 04 05"  # empty in the revision: the source's stays
    assert d.ville == "Paris"
    assert d.uniquement_sur_rdv is False  # False is a value, not "empty"
    assert (d.location.x, d.location.y) == pytest.approx((2.33, 48.87))
    assert d.provenance["adresse"] == "revision:ecosystem_1"
    assert d.provenance["telephone"] == "source:ecosystem"
    assert d.provenance["uniquement_sur_rdv"] == "revision:ecosystem_1"
    assert d.sources == ["ecosystem"]
    assert d.propositions == [{"action": "reparer", "sous_categories": ["ecran"]}]
    assert d.groupes_actions == ["reparer"]


def test_revision_propositions_replace_the_imported_ones():
    acteur("refashion_7", source="refashion", propositions={"trier": ["vetement"], "donner": ["chaussures"]})
    revision = RevisionActeur.objects.create(identifiant_unique="refashion_7")
    RevisionPropositionService.objects.create(acteur=revision, action_id="reparer").sous_categories.set(["vetement"])

    displayed_acteur_refresh()

    d = DisplayedActeur.objects.get(identifiant_unique="refashion_7")
    assert d.actions == ["reparer"]
    assert d.sous_categories == ["vetement"]


def test_a_parent_merges_its_children_and_records_provenance():
    acteur("ecosystem_10", nom="Recyclerie du Port", telephone="02 97 00 00 01", adresse="1 quai Rohan",
           location=Point(-3.36, 47.75, srid=4326), propositions={"trier": ["ecran"]})
    acteur("refashion_20", source="refashion", nom="Recyclerie du port (textile)", email="contact@recyclerie.fr",
           adresse="1 quai de Rohan", propositions={"trier": ["vetement"], "donner": ["vetement"]})
    acteur("corepile_30", source="corepile", nom="Autre lieu", location=Point(-3.0, 47.6, srid=4326))
    RevisionActeur.objects.create(identifiant_unique="parent_1", uuid="uuid-parent-1", nom="La Recyclerie du Port")
    RevisionActeur.objects.create(identifiant_unique="ecosystem_10", parent_id="parent_1")
    RevisionActeur.objects.create(identifiant_unique="refashion_20", parent_id="parent_1")

    displayed_acteur_refresh()

    assert set(DisplayedActeur.objects.values_list("identifiant_unique", flat=True)) == {"parent_1", "corepile_30"}
    parent = DisplayedActeur.objects.get(identifiant_unique="parent_1")
    assert parent.uuid == "uuid-parent-1"
    assert parent.nom == "La Recyclerie du Port"
    assert parent.provenance["nom"] == "revision:parent_1"
    assert parent.telephone == "02 97 00 00 01"
    assert parent.provenance["telephone"] == "source:ecosystem"
    assert parent.email == "contact@recyclerie.fr"
    assert parent.provenance["email"] == "source:refashion"
    assert parent.location is not None and parent.provenance["location"] == "source:ecosystem"
    assert parent.sources == ["ecosystem", "refashion"]
    assert parent.enfants == ["ecosystem_10", "refashion_20"]
    assert parent.propositions == [
        {"action": "donner", "sous_categories": ["vetement"]},
        {"action": "trier", "sous_categories": ["ecran", "vetement"]},
    ]


def test_inactive_and_deleted_acteurs_are_not_displayed():
    acteur("ecosystem_1")
    acteur("ecosystem_2", statut="INACTIF")
    acteur("ecosystem_3")
    RevisionActeur.objects.create(identifiant_unique="ecosystem_3", statut="SUPPRIME")

    displayed_acteur_refresh()

    assert list(DisplayedActeur.objects.values_list("identifiant_unique", flat=True)) == ["ecosystem_1"]


def test_refreshing_twice_gives_the_same_table_with_its_named_indexes():
    acteur("ecosystem_1", location=Point(2.3, 48.8, srid=4326))
    displayed_acteur_refresh()
    first = list(DisplayedActeur.objects.values())
    displayed_acteur_refresh()

    assert list(DisplayedActeur.objects.values()) == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [DisplayedActeur._meta.db_table])
        names = {row[0] for row in cursor.fetchall()}
    assert {"displayed_location_gist", "displayed_actions_gin", "acteurs_displayedacteur_pkey"} <= names


def test_a_failing_swap_leaves_the_published_table_untouched():
    acteur("ecosystem_1")
    displayed_acteur_refresh()

    with pytest.raises(DatabaseError):
        table_swap(table=DisplayedActeur._meta.db_table, fill_sql="INSERT INTO {new} (identifiant_unique) VALUES ('x')")

    assert list(DisplayedActeur.objects.values_list("identifiant_unique", flat=True)) == ["ecosystem_1"]


def test_the_refresh_flow_runs_on_the_prefect_api(prefect_api):
    from flows.displayed import displayed_refresh_flow

    acteur("ecosystem_1")
    state = displayed_refresh_flow(return_state=True)

    assert state.is_completed()
    resultat = state.result()
    assert (resultat["computed"], resultat["published"]) == (1, 1) and resultat["tuiles_calculees"] >= 0
    assert DisplayedActeur.objects.get().nom == "Acteur ecosystem_1"
    # its progress, stage by stage, complete on the run's page
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [progres] = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
            key=ArtifactFilterKey(any_=["publication-acteurs-affiches"])))
    assert (progres.key, progres.type, float(progres.data)) == ("publication-acteurs-affiches", "progress", 100.0)


def test_refreshes_running_at_once_all_succeed():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    acteur("ecosystem_1")
    acteur("ecosystem_2")

    def refresh():
        try:
            return displayed_acteur_refresh()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [f.result() for f in [pool.submit(refresh) for _ in range(4)]]

    assert results == [{"computed": 2, "published": 2}] * 4
    assert DisplayedActeur.objects.count() == 2


def test_a_late_older_computation_never_overwrites_a_newer_one():
    from geoapp.acteurs.displayed import displayed_acteur_compute, displayed_acteur_publish

    acteur("ecosystem_1", nom="Ancien nom")
    older = displayed_acteur_compute()
    Acteur.objects.filter(pk="ecosystem_1").update(nom="Nouveau nom")
    newer = displayed_acteur_compute()

    displayed_acteur_publish(version=newer.version)
    displayed_acteur_publish(version=older.version)  # finished late

    assert DisplayedActeur.objects.get().nom == "Nouveau nom"
