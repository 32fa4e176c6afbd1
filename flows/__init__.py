"""Prefect flows. Importing this package sets the defaults every flow needs: Prefect's home inside
the repository (its embedded server on SQLite unless PREFECT_API_URL is set), a long start-up
timeout for the first start (migrations), no analytics; Django configured; and the hooks of the
shared plumbing that need Prefect (the warehouse's URL from a block, the outside APIs' shared
rate limits)."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.config.settings.dev")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:
    django.setup()

from flows.connecteur import entrepot_url_du_bloc  # noqa: E402
from flows.partage import limite_api  # noqa: E402
from geoapp.common import databases, http  # noqa: E402

databases.warehouse_url_fournisseur = entrepot_url_du_bloc  # the warehouse through the block `entrepot`
http.limite_partagee = limite_api  # each outside API's rate, shared by every worker (flows/partage.py)
