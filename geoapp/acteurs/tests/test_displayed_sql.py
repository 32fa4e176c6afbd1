"""The pieces of the displayed computation (`displayed.displayed_build_sql`, composed with
psycopg.sql), each run on its own in the warehouse over the web app's tables: the override rule,
the parent merge of fields and of sets, the provenance."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point

from geoapp.acteurs import displayed
from geoapp.acteurs.models import Acteur, RevisionActeur
from geoapp.common.databases import fdw_configure_warehouse, warehouse_connect

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")

UTC = datetime.timezone.utc


def acteur(identifiant: str, *, source: str = "ecosystem", labels=(), modifie_le=None, **fields) -> None:
    Acteur.objects.create(identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", source_id=source,
                          identifiant_externe=identifiant.split("_", 1)[1],
                          **{"nom": f"Acteur {identifiant}", "acteur_type_id": "commerce", **fields}).labels.set(labels)
    if modifie_le is not None:
        Acteur.objects.filter(pk=identifiant).update(modifie_le=modifie_le)


def run(statements: list, query) -> list[tuple]:
    """`statements` then `query` in one warehouse transaction (rolled back), over the web app's tables."""
    with warehouse_connect() as conn:
        fdw_configure_warehouse(webapp_tables=displayed.webapp_tables(), conn=conn)
        for statement in statements:
            conn.execute(statement)
        rows = conn.execute(query).fetchall()
        conn.rollback()
    return rows


def units() -> list:
    return [displayed.displayed_unit_sql(), displayed.DISPLAYED_MEMBER_SQL, *displayed.displayed_unit_sets_sql()]


def test_the_override_rule_takes_a_non_empty_revision_value_field_by_field():
    acteur("ecosystem_1", adresse="3 rue de la Paix", telephone="01 02 03 04 05", uniquement_sur_rdv=True,
           location=Point(2.33, 48.87, srid=4326))
    RevisionActeur.objects.create(identifiant_unique="ecosystem_1", adresse="5 rue de la Paix", telephone="",
                                  uniquement_sur_rdv=False, perimetre_departements=["75"])
    RevisionActeur.objects.create(identifiant_unique="staff_1", nom="Fait par l'équipe")  # no imported acteur

    rows = run([displayed.displayed_unit_sql()],
               """SELECT identifiant_unique, nom, p_nom, adresse, p_adresse, telephone, p_telephone,
                         uniquement_sur_rdv, p_uniquement_sur_rdv, perimetre_departements, p_perimetre_departements,
                         email, p_email
                  FROM unit ORDER BY identifiant_unique""")

    assert rows == [
        ("ecosystem_1", "Acteur ecosystem_1", "source:ecosystem", "5 rue de la Paix", "revision:ecosystem_1",
         "01 02 03 04 05", "source:ecosystem", False, "revision:ecosystem_1", ["75"], "revision:ecosystem_1",
         "", None),
        # made by staff: its own values, nothing else (empty text becomes '' only in the displayed table)
        ("staff_1", "Fait par l'équipe", "revision:staff_1", None, None, None, None, None, None, None, None, None, None),
    ]


def test_the_parent_merge_takes_each_field_from_the_most_recently_modified_active_child():
    acteur("ecosystem_10", telephone="02 97 00 00 01", email="ancien@port.fr", modifie_le=datetime.datetime(2024, 1, 1, tzinfo=UTC))
    acteur("refashion_20", source="refashion", email="nouveau@port.fr", modifie_le=datetime.datetime(2025, 1, 1, tzinfo=UTC))
    acteur("corepile_30", source="corepile", url="https://inactif.fr", statut="INACTIF",
           modifie_le=datetime.datetime(2026, 1, 1, tzinfo=UTC))
    RevisionActeur.objects.create(identifiant_unique="parent_1", nom="La Recyclerie du Port")
    for child in ("ecosystem_10", "refashion_20", "corepile_30"):
        RevisionActeur.objects.create(identifiant_unique=child, parent_id="parent_1")

    rows = run(units(), f"SELECT parent_id, enfants, telephone, p_telephone, email, p_email, url "
                        f"FROM ({displayed.displayed_children_sql().as_string(None)}) c")

    assert rows == [("parent_1", ["ecosystem_10", "refashion_20"], "02 97 00 00 01", "source:ecosystem",
                     "nouveau@port.fr", "source:refashion", None)]  # the inactive child gives nothing


def test_a_parent_without_its_own_set_takes_the_union_of_its_childrens():
    acteur("ecosystem_10", labels=["refashion"])
    acteur("refashion_20", source="refashion", labels=["qualirepar", "refashion"])
    acteur("ecosystem_11", labels=["refashion"])
    acteur("refashion_21", source="refashion", labels=["qualirepar"])
    RevisionActeur.objects.create(identifiant_unique="parent_1")
    RevisionActeur.objects.create(identifiant_unique="parent_2").labels.set(["reparacteur"])
    RevisionActeur.objects.create(identifiant_unique="ecosystem_11", parent_id="parent_2")
    RevisionActeur.objects.create(identifiant_unique="refashion_21", parent_id="parent_2")
    for child in ("ecosystem_10", "refashion_20"):
        RevisionActeur.objects.create(identifiant_unique=child, parent_id="parent_1")

    labels = displayed.displayed_set_sql(unit_table="unit_label", columns=("code",))
    rows = run(units(), f"SELECT display_id, array_agg(code ORDER BY code) FROM ({labels.as_string(None)}) s "
                        "GROUP BY display_id ORDER BY display_id")

    assert rows == [("parent_1", ["qualirepar", "refashion"]), ("parent_2", ["reparacteur"])]  # its own set wins


def test_the_provenance_names_who_gave_each_value_kept():
    acteur("ecosystem_10", telephone="02 97 00 00 01", adresse="1 quai Rohan")
    RevisionActeur.objects.create(identifiant_unique="parent_1", nom="La Recyclerie du Port", adresse="2 quai Rohan")
    RevisionActeur.objects.create(identifiant_unique="ecosystem_10", parent_id="parent_1")
    acteur("corepile_30", source="corepile")

    rows = run([*units(), *displayed.DISPLAYED_ANALYSE_SQL],
               f"SELECT identifiant_unique, provenance FROM ({displayed.displayed_select_sql().as_string(None)}) d "
               "ORDER BY identifiant_unique")

    assert rows == [
        ("corepile_30", {"nom": "source:corepile", "acteur_type": "source:corepile"}),
        ("parent_1", {"nom": "revision:parent_1", "adresse": "revision:parent_1", "telephone": "source:ecosystem",
                      "acteur_type": "source:ecosystem"}),
    ]


def test_a_field_forced_empty_is_displayed_empty_whatever_the_source_or_the_children_give():
    acteur("ecosystem_1", email="contact@atelier.fr", telephone="01 02 03 04 05", uniquement_sur_rdv=True,
           perimetre_departements=["75", "92"])
    RevisionActeur.objects.create(identifiant_unique="ecosystem_1",
                                  champs_vides=["email", "uniquement_sur_rdv", "perimetre_departements"])
    acteur("ecosystem_10", url="https://port.fr", telephone="02 97 00 00 01")
    RevisionActeur.objects.create(identifiant_unique="parent_1", nom="La Recyclerie du Port", champs_vides=["url"])
    RevisionActeur.objects.create(identifiant_unique="ecosystem_10", parent_id="parent_1")

    rows = run([*units(), *displayed.DISPLAYED_ANALYSE_SQL],
               "SELECT identifiant_unique, email, telephone, uniquement_sur_rdv, perimetre_departements, url, provenance "
               f"FROM ({displayed.displayed_select_sql().as_string(None)}) d ORDER BY identifiant_unique")

    assert rows == [
        # emptied by its revision, which the provenance names; the rest still from the source
        ("ecosystem_1", "", "01 02 03 04 05", None, [], "",
         {"nom": "source:ecosystem", "acteur_type": "source:ecosystem", "email": "revision:ecosystem_1",
          "telephone": "source:ecosystem", "uniquement_sur_rdv": "revision:ecosystem_1",
          "perimetre_departements": "revision:ecosystem_1"}),
        # a parent forcing its url empty does not take its child's
        ("parent_1", "", "02 97 00 00 01", None, [], "",
         {"nom": "revision:parent_1", "acteur_type": "source:ecosystem", "telephone": "source:ecosystem",
          "url": "revision:parent_1"}),
    ]


def test_identifiers_are_quoted():
    text = displayed.displayed_build_sql(target="displayed.acteur_v7", schema="webapp")[-1].as_string(None)
    assert text == 'ALTER TABLE "displayed"."acteur_v7" ADD PRIMARY KEY (identifiant_unique)'
