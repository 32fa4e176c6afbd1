"""Fixtures of the source flows' tests: the local stand-in server (real HTTP on 127.0.0.1) and the
settings pointing the clients at it, with short timeouts and backoff."""

import pytest

from doublures.sources.serveur import DoublureSources, ReglagesDoublure


@pytest.fixture
def doublure_sources(settings):
    with DoublureSources(ReglagesDoublure(size=30), slow_seconds=4.0) as server:
        settings.SOURCES_DATAFAIR_POINTSAPPORT_URL = server.url
        settings.SOURCES_DATAFAIR_ADEME_URL = server.url
        settings.SOURCES_CMA_URL = server.url
        settings.SOURCES_PHARMACIES_URL = f"{server.url}/download/annuaire_csv.zip"
        settings.SOURCES_GEOCODAGE_URL = f"{server.url}/geocodage/search/"
        settings.SOURCES_HTTP_TIMEOUT = 2.0
        settings.SOURCES_HTTP_RETRIES = 3
        settings.SOURCES_HTTP_BACKOFF = 0.01
        settings.SOURCES_HTTP_RATE_PER_HOST = 0
        yield server


@pytest.fixture
def source_db(warehouse, referentiels, prefect_api):
    """Everything a source flow needs: warehouse, referentials, Prefect API; what earlier tests
    left in the warehouse's memory of past runs (fingerprints, geocoding cache) is forgotten."""
    from geoapp.common.databases import warehouse_connect

    with warehouse_connect() as conn:
        conn.execute("TRUNCATE staging.source_empreinte, staging.source_geocodage, staging.source_extrait")
    return warehouse
