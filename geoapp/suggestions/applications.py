"""Applying validated suggestions from the back office: the admin records an
`ApplicationSuggestions` and starts the flow `suggestions-appliquer` in a process of its own, so
the web request returns at once (an apply takes ~90 s at 500,000 acteurs); the flow run writes its
id and, at the end, its counts on the record; the admin shows its state read from the Prefect API."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.utils import timezone

from .models import ApplicationSuggestions

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


def application_demander(*, source_codes: list[str], demandee_par: str) -> ApplicationSuggestions:
    """Record the apply and start its flow run: a flow run of the deployment
    SUGGESTIONS_APPLICATION_DEPLOYMENT for the Prefect workers when it is set (docker compose,
    production: the web app holds no write access to the warehouse), else a new local process
    that outlives the request (the demo, the tests)."""
    application = ApplicationSuggestions.objects.create(sources=sorted(set(source_codes)), demandee_par=demandee_par)
    if settings.SUGGESTIONS_APPLICATION_DEPLOYMENT:
        from prefect.deployments import run_deployment

        flow_run = run_deployment(name=settings.SUGGESTIONS_APPLICATION_DEPLOYMENT, timeout=0,
                                  parameters={"application_id": application.pk})
        ApplicationSuggestions.objects.filter(pk=application.pk).update(flow_run_id=flow_run.id)
        application.flow_run_id = flow_run.id
        return application
    env = dict(os.environ)
    api_url = _prefect_api_url()
    if api_url:  # the flow run reports to the same Prefect API as this process
        env["PREFECT_API_URL"] = api_url
    proc = subprocess.Popen([sys.executable, "-m", "flows.suggestions_appliquer", str(application.pk)],
                            cwd=REPO, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    threading.Thread(target=proc.wait, daemon=True, name=f"application-{application.pk}").start()  # reaped
    log.info("application %s des suggestions de %s lancée (processus %s)", application.pk, application.sources, proc.pid)
    return application


def application_executer(*, application_id: int, flow_run_id: str | None) -> dict[str, int]:
    """Inside the flow run: note its id, apply the validated groups of the sources, note the counts."""
    from .services import suggestions_apply

    if flow_run_id:
        ApplicationSuggestions.objects.filter(pk=application_id).update(flow_run_id=flow_run_id)
    application = ApplicationSuggestions.objects.get(pk=application_id)
    counts = suggestions_apply(source_codes=application.sources)
    ApplicationSuggestions.objects.filter(pk=application_id).update(compteurs=counts, fin=timezone.now())
    return counts


def application_etat_get(*, flow_run_id: UUID | str | None) -> str:
    """The state of the flow run as the Prefect API reports it (`Running`, `Completed`, `Failed`…)."""
    if flow_run_id is None:
        return "en démarrage"
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(str(flow_run_id))).state
        return state.name if state else "inconnu"
    except Exception as exc:  # the admin page stays up when the Prefect API is not
        log.warning("état de l'exécution %s illisible : %s", flow_run_id, exc)
        return "inconnu (API Prefect injoignable)"


def _prefect_api_url() -> str | None:
    try:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None
    except Exception:
        return None
