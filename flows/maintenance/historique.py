"""Flow `maintenance-prefect`: Prefect's own history older than a retention
(MAINTENANCE_PREFECT_RETENTION_JOURS, 30 days) deleted through Prefect's API: finished flow runs
(their task runs go with them, and the server deletes their logs), then their artifacts. A run
still scheduled, pending or running is never touched."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from django.conf import settings
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterEndTime, FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from geoapp.exploitation.observabilite import flux_mesure

TERMINES = [StateType.COMPLETED, StateType.FAILED, StateType.CANCELLED, StateType.CRASHED]
LOT = 50  # the most a bulk delete of Prefect's API takes


@task(name="supprimer l'historique Prefect ancien")
def historique_supprimer(*, avant: datetime, garder: str | None) -> dict[str, int]:
    """Delete the finished flow runs that ended before `avant` (but the run `garder`: this one) and
    their artifacts; the counts."""
    logger = get_run_logger()
    compte = {"executions": 0, "artefacts": 0}
    filtre = FlowRunFilter(end_time=FlowRunFilterEndTime(before_=avant),
                           state=FlowRunFilterState(type=FlowRunFilterStateType(any_=TERMINES)))
    with get_client(sync_client=True) as client:
        while True:
            runs = [r for r in client.read_flow_runs(flow_run_filter=filtre, limit=LOT) if str(r.id) != garder]
            if not runs:
                break
            ids = [r.id for r in runs]
            artefacts = client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=ids)))
            for artefact in artefacts:
                client.delete_artifact(artefact.id)
            # the server's bulk delete (its task runs with it; their logs in the background): one
            # request per batch, not one per run
            reponse = client.request("POST", "/flow_runs/bulk_delete", json={
                "flow_runs": {"id": {"any_": [str(i) for i in ids]}}, "limit": len(ids)})
            reponse.raise_for_status()
            compte["executions"] += len(runs)
            compte["artefacts"] += len(artefacts)
            logger.info("%d exécutions supprimées (%d artefacts)", compte["executions"], compte["artefacts"])
            if len(runs) < LOT:
                break
    return compte


@flow(name="maintenance-prefect", log_prints=True)
@flux_mesure()
def maintenance_prefect_flow(retention_jours: int | None = None) -> dict[str, int]:
    """`retention_jours`: MAINTENANCE_PREFECT_RETENTION_JOURS unless given."""
    from prefect.runtime import flow_run

    jours = settings.MAINTENANCE_PREFECT_RETENTION_JOURS if retention_jours is None else retention_jours
    avant = datetime.now(timezone.utc) - timedelta(days=jours)
    compte = historique_supprimer(avant=avant, garder=flow_run.id)
    create_markdown_artifact(
        key="maintenance-prefect", description="Historique Prefect supprimé",
        markdown=(f"# Maintenance Prefect\n\nTerminées avant le {avant:%Y-%m-%d %H:%M} UTC ({jours} jours) :\n\n"
                  f"| supprimé | nombre |\n|---|---|\n| exécutions (et leurs tâches, journaux) | {compte['executions']} |\n"
                  f"| artefacts | {compte['artefacts']} |\n"))
    print(f"historique Prefect : {compte}")
    return compte


if __name__ == "__main__":
    maintenance_prefect_flow()
