"""Long flows report their progress: a source run's download and its applying have Prefect progress
artifacts that end at 100 %, and log lines saying how many records and groups."""

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey, LogFilter, LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogWorker

from flows.progression import Progression
from flows.sources.eco_organismes import eco_organisme_flow
from geoapp.suggestions.models import ExecutionSource
from geoapp.suggestions.services import politique_set


def test_a_source_run_reports_its_progress_as_artifacts_and_log_lines(doublure_sources, source_db):
    politique_set(source_codes=["ecodds"], politique="auto")

    counts = eco_organisme_flow(source="ecodds")

    assert counts["appliquees"] == 30
    run_id = ExecutionSource.objects.get(flux="ecodds").run_id
    APILogWorker.drain_all(timeout=10)
    with get_client(sync_client=True) as client:
        artefacts = {a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(  # this run's
            key=ArtifactFilterKey(any_=["telechargement-ecodds", "application-ecodds"]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))}
        messages = [log.message for log in client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))]
    assert set(artefacts) == {"telechargement-ecodds", "application-ecodds"}
    assert all(a.type == "progress" and float(a.data) == 100.0 and str(a.flow_run_id) == run_id
               for a in artefacts.values())
    assert "Application des suggestions de ecodds : 30/30 groupes appliqués" in messages
    assert any(m.startswith("Téléchargement de ecodds : 30 lignes reçues") for m in messages), messages


def test_outside_a_flow_run_progress_is_only_logged(caplog):
    caplog.set_level("INFO")
    progression = Progression(cle="x", description="Essai", intervalle_s=0)
    progression.avancer(5, 10, "lignes")
    assert progression.artefact is None and "Essai : 5/10 lignes" in caplog.text
