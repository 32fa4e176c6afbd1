"""The web app's health check of its persistent database connections (geoapp.config.postgis): no
round trip on an idle connection, and a connection the server closed is still seen as unusable."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_connection():
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def last_query(pid: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else None


def test_an_idle_connection_is_usable_without_a_query(other_connection):
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT 'la dernière requête'")
    pid = other_connection.connection.info.backend_pid

    assert other_connection.is_usable()
    assert last_query(pid) == "SELECT 'la dernière requête'"  # no `SELECT 1` sent


def test_a_connection_the_server_closed_is_not_usable(other_connection):
    pid = other_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(100):  # until the backend is gone
        if last_query(pid) is None:
            break
        time.sleep(0.05)

    assert not other_connection.is_usable()
