"""The web app reads the cloned BAN through the `warehouse` alias, which is read-only and never
migrated; under tests it is the `test_` warehouse the clone fixtures fill."""

from __future__ import annotations

import pytest
from django.db import InternalError, connections, router
from django.db.utils import DatabaseError

from geoapp.geocodage.models import AdresseBan, GeocodageActeur

pytestmark = pytest.mark.django_db(databases=["default", "warehouse"])


def test_the_alias_is_the_test_warehouse_and_reads_the_clone(ban_clone, warehouse):
    assert connections["warehouse"].settings_dict["NAME"] == warehouse["dbname"]
    adresse = AdresseBan.objects.get(pk="75101_cfq3tf_00001")
    assert (adresse.numero, adresse.nom_voie, adresse.code_postal) == (1, "Avenue du Général Lemonnier", "75001")


def test_the_alias_refuses_writes_and_migrations(ban_clone):
    with pytest.raises(RuntimeError, match="read-only warehouse"):
        AdresseBan.objects.filter(pk="75101_cfq3tf_00001").update(numero=2)
    with pytest.raises((InternalError, DatabaseError), match="read-only transaction"):
        with connections["warehouse"].cursor() as cursor:
            cursor.execute("CREATE TABLE reference.intrus (id int)")
    assert router.allow_migrate("warehouse", "geocodage", model=GeocodageActeur) is False
    assert router.allow_migrate("default", "geocodage", model=AdresseBan) is False
    assert router.allow_migrate("default", "geocodage", model=GeocodageActeur) is not False
