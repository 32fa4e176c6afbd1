import os
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection

from geoapp.suggestions.applications import application_etat_get


@pytest.fixture
def flow_run_env(monkeypatch, prefect_api):
    """The process of an apply's flow run reaches this test's databases (the admin passes it the
    Prefect API of this process)."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp"))
    monkeypatch.setenv("DATABASE_URL", url._replace(path="/" + connection.settings_dict["NAME"]).geturl())
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "geoapp.config.settings.test")


def application_finie(application, timeout: float = 180):
    """Wait for the apply's flow run to end Completed (as the Prefect API says) and its counts."""
    deadline = time.monotonic() + timeout
    while application.fin is None or application_etat_get(flow_run_id=application.flow_run_id) != "Completed":
        assert time.monotonic() < deadline, f"flow run still {application_etat_get(flow_run_id=application.flow_run_id)}"
        time.sleep(1)
        application.refresh_from_db()
    return application
