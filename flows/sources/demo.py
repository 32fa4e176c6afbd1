"""The demo's sources: the local stand-in servers (HTTP + S3) are started, every source flow (16
eco-organismes, CMA, pharmacies, SINOE, the S3 file) runs against them with the `auto` policy,
the displayed acteurs are refreshed once, and the servers are stopped."""

from __future__ import annotations

import logging
import os

from django.test import override_settings

from flows.displayed import displayed_refresh_flow
from flows.sources.cma import cma_flow
from flows.sources.config import ECO_ORGANISMES
from flows.sources.eco_organismes import eco_organisme_flow
from flows.sources.pharmacies import pharmacies_flow
from flows.sources.registre import spec_get
from flows.sources.s3 import s3_flow
from flows.sources.sinoe import sinoe_flow
from doublures.sources.s3 import S3_FILES, DoublureS3
from doublures.sources.serveur import DoublureSources, ReglagesDoublure
from geoapp.suggestions.services import politique_set

log = logging.getLogger(__name__)
FLUX = [*ECO_ORGANISMES, "cma", "pharmacies", "sinoe", *(f"s3/{key}" for key in S3_FILES)]


def sources_demo(*, size: int | None = None, seed: int = 42) -> dict[str, dict]:
    """Run the 20 source flows on generated records (`size` per source, `DEMO_SOURCES_SIZE` or 40)."""
    size = size or int(os.environ.get("DEMO_SOURCES_SIZE", "40"))
    results: dict[str, dict] = {}
    with DoublureSources(ReglagesDoublure(seed=seed, size=size)) as http, DoublureS3(size=size, seed=seed) as s3:
        with override_settings(
            SOURCES_DATAFAIR_POINTSAPPORT_URL=http.url, SOURCES_DATAFAIR_ADEME_URL=http.url,
            SOURCES_CMA_URL=http.url, SOURCES_PHARMACIES_URL=f"{http.url}/download/annuaire_csv.zip",
            SOURCES_GEOCODAGE_URL=f"{http.url}/geocodage/search/", SOURCES_S3_ENDPOINT_URL=s3.url,
            SOURCES_S3_ACCESS_KEY="demo", SOURCES_S3_SECRET_KEY="demo", SOURCES_HTTP_RATE_PER_HOST=0,
        ):
            for flux in FLUX:
                politique_set(source_codes=list(spec_get(flux).sources), politique="auto")
            for cle in ECO_ORGANISMES:
                results[cle] = eco_organisme_flow(source=cle, rafraichir=False)
            results["cma"] = cma_flow(rafraichir=False)
            results["pharmacies"] = pharmacies_flow(rafraichir=False)
            results["sinoe"] = sinoe_flow(rafraichir=False)
            for key in S3_FILES:
                results[f"s3/{key}"] = s3_flow(cle=key, rafraichir=False)
    displayed_refresh_flow()
    for flux, counts in results.items():
        log.info("source %s : %s", flux, counts)
    return results
