"""The incremental refresh (only the acteurs a change touched) gives what the full rebuild gives,
after each kind of change staff or an apply make: the displayed acteurs and the tile clusters."""

import random

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection

from geoapp.acteurs.displayed import DISPLAYED_COLUMNS, displayed_published_version
from geoapp.acteurs.models import (
    Acteur,
    DisplayedActeur,
    PropositionService,
    RevisionActeur,
    RevisionPropositionService,
)
from geoapp.acteurs.services import displayed_acteur_refresh, displayed_acteur_refresh_partial

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")

ACTIONS = ["reparer", "donner", "trier", "preter", "louer"]
SOUS_CATEGORIES = ["ecran", "vetement", "chaussures"]


def _snapshot() -> tuple[list, list]:
    """Every displayed acteur's every column, and every tile cluster (ids aside: they are row numbers)."""
    columns = ", ".join(f"{connection.ops.quote_name(c)}::text" for c in DISPLAYED_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, feature FROM acteurs_displayedacteur ORDER BY identifiant_unique")
        displayed = cursor.fetchall()
        cursor.execute("""SELECT zoom, round(ST_X(geom)::numeric, 3), round(ST_Y(geom)::numeric, 3), nombre, groupe_action
                          FROM acteurs_displayedacteurcluster ORDER BY 1, 2, 3, 4, 5""")
        clusters = cursor.fetchall()
    return displayed, clusters


def _acteurs(n: int) -> None:
    rng = random.Random(14)
    for i in range(n):
        obj = Acteur.objects.create(
            identifiant_unique=f"ecosystem_{i}", uuid=f"uuid-{i}", identifiant_externe=str(i), source_id="ecosystem",
            nom=f"Acteur {i}", acteur_type_id="commerce", ville="Lyon", telephone=f"04 00 00 00 {i:02d}",
            location=Point(4.8 + rng.uniform(-0.3, 0.3), 45.75 + rng.uniform(-0.3, 0.3), srid=4326),
        )
        obj.labels.set(["reparacteur"] if i % 3 == 0 else [])
        action = ACTIONS[i % len(ACTIONS)]
        PropositionService.objects.create(acteur=obj, action_id=action).sous_categories.set(
            SOUS_CATEGORIES[: 1 + i % 3])


def _revision(identifiant: str) -> RevisionActeur:
    return RevisionActeur.objects.get_or_create(identifiant_unique=identifiant)[0]


def test_the_incremental_refresh_equals_the_full_rebuild_after_each_kind_of_change():
    _acteurs(40)
    RevisionActeur.objects.create(identifiant_unique="parent_a", uuid="uuid-parent-a", nom="Parent A")
    for child in ("ecosystem_1", "ecosystem_2"):
        _revision(child).__class__.objects.filter(pk=child).update(parent_id="parent_a")
    displayed_acteur_refresh()
    first_version = displayed_published_version()

    def zone():
        return MultiPolygon(Polygon(((4.7, 45.7), (4.9, 45.7), (4.9, 45.9), (4.7, 45.7))), srid=4326)

    def field_corrected():
        r = _revision("ecosystem_3")
        r.nom, r.telephone = "Nouveau nom", ""
        r.save()
        return ["ecosystem_3"]

    def moved_far_away():  # leaves its grid cells at every zoom, enters others
        r = _revision("ecosystem_4")
        r.location = Point(-1.55, 47.21, srid=4326)
        r.save()
        return ["ecosystem_4"]

    def moved_nearby():  # stays in its low zooms' cells: only their centres move
        r = _revision("ecosystem_13")
        r.location = Point(4.81, 45.76, srid=4326)
        r.save()
        return ["ecosystem_13"]

    def service_area_drawn():
        r = _revision("ecosystem_5")
        r.perimetre_zone, r.lieu_prestation, r.perimetre_departements = zone(), "A_DOMICILE", ["69", "01"]
        r.save()
        return ["ecosystem_5"]

    def created_by_staff():
        r = RevisionActeur.objects.create(identifiant_unique="staff_1", nom="Créé à la main", acteur_type_id="commerce",
                                          location=Point(4.85, 45.76, srid=4326))
        RevisionPropositionService.objects.create(acteur=r, action_id="reparer").sous_categories.set(["ecran"])
        return ["staff_1"]

    def parent_made_of_two_duplicates():
        RevisionActeur.objects.create(identifiant_unique="parent_b", nom="Parent B")
        for child in ("ecosystem_6", "ecosystem_7"):
            r = _revision(child)
            r.parent_id = "parent_b"
            r.save()
        return ["parent_b", "ecosystem_6", "ecosystem_7"]

    def child_attached():  # only the child is named: its new parent follows
        r = _revision("ecosystem_8")
        r.parent_id = "parent_a"
        r.save()
        return ["ecosystem_8"]

    def child_detached():  # only the child is named: its former parent follows (from its displayed row)
        r = _revision("ecosystem_1")
        r.parent_id = None
        r.save()
        return ["ecosystem_1"]

    def child_changed():  # the parent shows its child's values
        r = _revision("ecosystem_2")
        r.adresse = "2 rue du Parent"
        r.save()
        return ["ecosystem_2"]

    def propositions_and_labels_corrected():
        r = _revision("ecosystem_9")
        RevisionPropositionService.objects.create(acteur=r, action_id="donner").sous_categories.set(["vetement"])
        r.labels.set(["reparacteur"])
        a = Acteur.objects.get(pk="ecosystem_10")  # an import changes an acteur's set
        a.acteur_services.set(["achat_revente_particuliers"])
        return ["ecosystem_9", "ecosystem_10"]

    def deactivated_and_deleted():
        r = _revision("ecosystem_11")
        r.statut = "INACTIF"
        r.save()
        Acteur.objects.filter(pk="ecosystem_12").update(statut="SUPPRIME")
        return ["ecosystem_11", "ecosystem_12"]

    def revision_deleted():
        RevisionActeur.objects.filter(pk="ecosystem_3").delete()
        return ["ecosystem_3"]

    def parent_deleted():
        RevisionActeur.objects.filter(pk="parent_b").delete()  # its children are themselves again
        return ["parent_b"]

    changes = [field_corrected, moved_far_away, moved_nearby, service_area_drawn, created_by_staff, parent_made_of_two_duplicates,
               child_attached, child_detached, child_changed, propositions_and_labels_corrected,
               deactivated_and_deleted, revision_deleted, parent_deleted]
    for change in changes:
        before = _snapshot()
        report = displayed_acteur_refresh_partial(identifiants=change())
        incremental = _snapshot()
        assert incremental != before, change.__name__  # the change shows
        assert report["touches"] < 12, change.__name__  # ... refreshing a few acteurs, not all
        displayed_acteur_refresh()
        assert _snapshot() == incremental, change.__name__

    # What users see after the changes, as a check of the scenario itself
    displayed = set(DisplayedActeur.objects.values_list("identifiant_unique", flat=True))
    assert {"ecosystem_1", "ecosystem_6", "ecosystem_7"} <= displayed  # detached, and their parent deleted
    assert not {"parent_b", "ecosystem_2", "ecosystem_8"} & displayed
    assert DisplayedActeur.objects.get(pk="parent_a").enfants == ["ecosystem_2", "ecosystem_8"]
    assert DisplayedActeur.objects.get(pk="parent_a").adresse == "2 rue du Parent"
    assert DisplayedActeur.objects.get(pk="staff_1").actions == ["reparer"]
    assert not DisplayedActeur.objects.filter(pk__in=["ecosystem_11", "ecosystem_12"]).exists()
    assert displayed_published_version() > first_version


def test_an_incremental_refresh_older_than_the_published_version_writes_nothing():
    _acteurs(3)
    displayed_acteur_refresh()
    r = _revision("ecosystem_0")
    r.nom = "Corrigé"
    r.save()
    from geoapp.acteurs.displayed import (
        displayed_acteur_compute_partial,
        displayed_acteur_publish_partial,
        displayed_partial_drop,
    )

    late = displayed_acteur_compute_partial(identifiants=["ecosystem_0"])
    displayed_acteur_refresh()  # a full rebuild drawn after it already holds the correction
    assert displayed_acteur_publish_partial(version=late.version, identifiants=["ecosystem_0"]) == 0
    displayed_partial_drop(version=late.version)
    assert DisplayedActeur.objects.get(pk="ecosystem_0").nom == "Corrigé"
    assert displayed_published_version() > late.version


def test_the_incremental_refresh_flow_runs_on_the_prefect_api(prefect_api):
    from flows.displayed import displayed_refresh_partial_flow

    _acteurs(2)
    displayed_acteur_refresh()
    r = _revision("ecosystem_1")
    r.nom = "Corrigé par le flow"
    r.save()
    assert displayed_refresh_partial_flow(["ecosystem_1"]) == {"touches": 1, "computed": 1, "published": 1}
    assert DisplayedActeur.objects.get(pk="ecosystem_1").nom == "Corrigé par le flow"
    assert DisplayedActeur.objects.get(pk="ecosystem_0").nom == "Acteur 0"
