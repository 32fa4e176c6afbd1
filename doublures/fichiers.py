"""A local HTTP server serving the bundled `data/` extracts, standing in for the official
downloads in the tests and the demo (127.0.0.1 only), and where each dataset lives on it."""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from flows import REPO

DATA_DIR = REPO / "data"

# dataset → the bundled files (paths under data/) and the minimum row count that fits them
SOURCES_EMBARQUEES: dict[str, tuple[list[str], int]] = {
    "ban": (["ban/adresses-75.csv.gz"], 150_000),
    "sirene_etablissement": (["sirene/StockEtablissement_utf8_extrait.csv"], 20),
    "laposte_code_postal": (["geo/laposte-codes-postaux-datanova-2025-06.csv"], 39_000),
    "insee_commune": (["geo/decoupage-administratif-6.0.0/communes.json"], 37_000),
    "insee_epci": (["geo/decoupage-administratif-6.0.0/epci.json"], 1_200),
    "insee_departement": (["geo/decoupage-administratif-6.0.0/departements.json"], 100),
    "contour_commune": ([
        "geo/france-geojson-2018_communes-44-loire-atlantique.geojson",
        "geo/france-geojson-2018_communes-56-morbihan.geojson",
        "geo/france-geojson-2018_communes-75-paris.geojson",
        "geo/france-geojson-2018_communes-91-95-membres-metropole-grand-paris.geojson",
        "geo/france-geojson-2018_communes-92-hauts-de-seine.geojson",
        "geo/france-geojson-2018_communes-93-seine-saint-denis.geojson",
        "geo/france-geojson-2018_communes-94-val-de-marne.geojson",
        "geo/paris-arrondissements-municipaux.geojson",
    ], 500),
    "contour_departement": (["geo/france-geojson-2018_departements-version-simplifiee.geojson"], 90),
    # generated in the official schemas (data/README.md)
    "ban_lieux_dits": (["ban/lieux-dits-extrait.csv"], 5),
    "sirene_unite_legale": (["sirene/StockUniteLegale_utf8_extrait.csv"], 18),
    "sirene_lien_succession": (["sirene/StockEtablissementLiensSuccession_utf8_extrait.csv"], 2),
}


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # quiet
        pass

    def guess_type(self, path):  # files as they are: no Content-Encoding games with .gz
        return "application/octet-stream"


@contextmanager
def serveur_donnees(directory: Path = DATA_DIR) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="serveur-donnees", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sources_locales(base_url: str) -> dict[str, dict]:
    """{dataset: {"urls": [...], "min_lignes": n}} for the bundled extracts served at `base_url`."""
    return {nom: {"urls": [f"{base_url}/{p}" for p in paths], "min_lignes": minimum}
            for nom, (paths, minimum) in SOURCES_EMBARQUEES.items()}
