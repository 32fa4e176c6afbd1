"""Flow: apply the validated suggestions of an `ApplicationSuggestions` asked from the back office
(geoapp/suggestions/applications.py starts it in a process of its own: the web request returns at once).
    uv run python -m flows.suggestions_appliquer <application id>"""

from __future__ import annotations

import sys

import flows  # noqa: F401  (Django configured)
from prefect import flow, task
from prefect.runtime import flow_run

from geoapp.suggestions.applications import application_executer
from geoapp.exploitation.observabilite import flux_mesure


@task(name="appliquer les suggestions validées")
def appliquer(application_id: int, flow_run_id: str | None) -> dict[str, int]:
    return application_executer(application_id=application_id, flow_run_id=flow_run_id)


@flow(name="suggestions-appliquer", log_prints=True)
@flux_mesure()
def suggestions_appliquer_flow(application_id: int) -> dict[str, int]:
    counts = appliquer(application_id, str(flow_run.id) if flow_run.id else None)
    print(f"application {application_id} : {counts['appliquees']} appliquée(s), {counts['erreurs']} en erreur")
    return counts


if __name__ == "__main__":
    suggestions_appliquer_flow(int(sys.argv[1]))
