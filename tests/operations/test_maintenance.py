"""Maintenance flows (tag `maintenance`): Prefect's history past its retention deleted through the
API; the warehouse keeps the payloads of the last runs of each source and of the referenced runs,
drops finished runs' staging, old quarantine and old displayed versions; suggestions treated long
ago are archived. Each run reports what it removed; a second run removes nothing."""

import json
import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, LogFilter, LogFilterFlowRunId
from prefect.exceptions import ObjectNotFound
from prefect.logging.handlers import APILogWorker
from prefect.runtime import flow_run
from psycopg import sql

from flows.maintenance.entrepot import maintenance_entrepot_flow
from flows.maintenance.historique import maintenance_prefect_flow
from geoapp.common.databases import warehouse_connect
from geoapp.suggestions.models import (
    ChangementSuggestion, CohorteSuggestion, ExecutionSource, GroupeSuggestion,
)


@flow(name="test-ancienne-execution")
def ancienne_execution() -> str:
    get_run_logger().info("une ligne de journal")
    create_markdown_artifact(markdown="# rapport", key="test-ancien-rapport")
    return str(flow_run.id)


def test_prefect_history_past_the_retention_is_deleted_through_the_api(prefect_api):
    ancienne = ancienne_execution()
    APILogWorker.drain_all(timeout=10)  # every log line of that run is on the server (an old run's are)
    with get_client(sync_client=True) as client:
        assert client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[ancienne])))

    compte = maintenance_prefect_flow(retention_jours=0)

    assert compte["executions"] >= 1 and compte["artefacts"] >= 1
    with get_client(sync_client=True) as client:
        with pytest.raises(ObjectNotFound):
            client.read_flow_run(ancienne)
        assert not client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["test-ancien-rapport"])))
        for _ in range(50):  # the server deletes a deleted run's logs in the background
            if not client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[ancienne]))):
                break
            time.sleep(0.2)
        assert not client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[ancienne])))
        rapport = client.read_latest_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["maintenance-prefect"])))
        assert f"| {compte['executions']} |" in rapport[0].data
    # a run that ended within the retention is kept
    recente = ancienne_execution()
    assert maintenance_prefect_flow(retention_jours=1)["executions"] == 0
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(recente)


def _payload(conn, *, run_id, seq, body, il_y_a_jours, flux="maint-flux"):
    import hashlib

    conn.execute(
        "INSERT INTO raw.source_payload (run_id, flux, seq, kind, url, body, body_empreinte, recu_le) "
        "VALUES (%s, %s, %s, 'page', 'http://x', %s, %s, now() - make_interval(days => %s))",
        [run_id, flux, seq, None if body is None else body, hashlib.blake2b(b"meme" if body is None else body,
                                                                            digest_size=16).digest(), il_y_a_jours])


def test_the_warehouse_keeps_what_is_needed_and_archives_old_suggestions(source_db):
    with warehouse_connect() as conn:  # only this test's rows (the report counts every flux's)
        conn.execute("TRUNCATE raw.source_payload, staging.source_ligne, raw.quarantaine")
        # five runs of one flux, r1 oldest; r5 stored the same bytes as r1 (a reference to r1's body)
        _payload(conn, run_id="r1", seq=0, body=b"meme", il_y_a_jours=50)
        _payload(conn, run_id="r2", seq=0, body=os.urandom(3000), il_y_a_jours=40)
        _payload(conn, run_id="r3", seq=0, body=os.urandom(3000), il_y_a_jours=30)
        _payload(conn, run_id="r4", seq=0, body=os.urandom(3000), il_y_a_jours=20)
        _payload(conn, run_id="r5", seq=0, body=None, il_y_a_jours=10)
        conn.execute("INSERT INTO staging.source_ligne (run_id, identifiant_unique, ligne) VALUES "
                     "('fini', 'a', '{}'), ('vivant', 'a', '{}')")
        conn.execute("INSERT INTO raw.quarantaine (flux, run_id, numero, ligne, raison, cree_le) VALUES "
                     "('maint-flux', 'r3', 1, '{}', 'vieille', now() - interval '100 days'), "
                     "('maint-flux', 'r2', 1, '{}', 'vieille mais référencée', now() - interval '100 days'), "
                     "('maint-flux', 'r4', 1, '{}', 'récente', now())")
        for n in range(900001, 900006):  # five computed displayed versions: the 3 latest stay
            conn.execute(sql.SQL("CREATE TABLE displayed.{} (id int)").format(sql.Identifier(f"acteur_v{n}")))
    ExecutionSource.objects.create(run_id="vivant", flux="maint-flux", statut="en_cours")
    r2 = ExecutionSource.objects.create(run_id="r2", flux="maint-flux", statut="reussie")
    attente = CohorteSuggestion.objects.create(execution=r2, type="ajout")
    GroupeSuggestion.objects.create(cohorte=attente, source_id="refashion", identifiant_unique="refashion_ATT",
                                    empreinte="e0")  # à valider: r2 stays referenced
    r3 = ExecutionSource.objects.create(run_id="r3", flux="maint-flux", statut="reussie")
    cohorte = CohorteSuggestion.objects.create(execution=r3, type="modification")
    vieux = GroupeSuggestion.objects.create(cohorte=cohorte, source_id="refashion", identifiant_unique="refashion_V",
                                            statut="appliquee", donnees={"nom": "Vieux"}, empreinte="e1")
    ChangementSuggestion.objects.create(groupe=vieux, champ="nom", ancienne_valeur="Ancien", nouvelle_valeur="Vieux")
    recent = GroupeSuggestion.objects.create(cohorte=cohorte, source_id="refashion", identifiant_unique="refashion_R",
                                             statut="rejetee", empreinte="e2")
    GroupeSuggestion.objects.filter(pk=vieux.pk).update(modifie_le=timezone.now() - timedelta(days=400))
    try:
        resultat = maintenance_entrepot_flow(payloads_runs_gardes=2)

        with warehouse_connect() as conn:
            runs = {r[0] for r in conn.execute("SELECT run_id FROM raw.source_payload WHERE flux = 'maint-flux'")}
            # r4, r5: the 2 last; r2: referenced by a waiting suggestion; r1: its body is r5's
            assert runs == {"r1", "r2", "r4", "r5"}
            assert [r[0] for r in conn.execute("SELECT run_id FROM staging.source_ligne WHERE run_id IN ('fini', 'vivant')")] == ["vivant"]
            assert sorted(r[0] for r in conn.execute("SELECT raison FROM raw.quarantaine WHERE flux = 'maint-flux'")) == [
                "récente", "vieille mais référencée"]
            versions = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'displayed' "
                                                   "AND tablename LIKE 'acteur_v9000%' ORDER BY 1")]
            assert versions == ["acteur_v900003", "acteur_v900004", "acteur_v900005"]
            archive = conn.execute("SELECT identifiant_unique, statut, run_id, donnees, changements "
                                   "FROM archive.groupe_suggestion WHERE id = %s", [vieux.pk]).fetchone()
        assert archive == ("refashion_V", "appliquee", "r3", {"nom": "Vieux"},
                           [{"champ": "nom", "ancienne_valeur": "Ancien", "nouvelle_valeur": "Vieux"}])
        assert not GroupeSuggestion.objects.filter(pk=vieux.pk).exists()
        assert not ChangementSuggestion.objects.filter(groupe_id=vieux.pk).exists()
        assert GroupeSuggestion.objects.filter(pk=recent.pk).exists()  # rejected recently: stays
        assert GroupeSuggestion.objects.filter(identifiant_unique="refashion_ATT").exists()
        assert resultat["charges brutes"]["lignes"] == 1 and resultat["charges brutes"]["octets"] >= 2000
        assert resultat["staging"]["lignes"] >= 1 and resultat["quarantaine"]["lignes"] >= 1
        assert resultat["versions affichées"]["lignes"] >= 2 and resultat["suggestions archivées"]["lignes"] == 1
        assert resultat["suggestions archivées"]["octets"] > 0
        with get_client(sync_client=True) as client:
            rapport = client.read_latest_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["maintenance-entrepot"])))[0]
        assert rapport.type == "table"
        lignes = {ligne["partie"]: ligne for ligne in json.loads(rapport.data)}
        assert lignes["charges brutes"] == {"partie": "charges brutes", "lignes supprimées": 1,
                                            "octets libérés": resultat["charges brutes"]["octets"]}
        assert lignes["suggestions archivées"]["lignes supprimées"] == 1

        # run again: nothing more to remove
        encore = maintenance_entrepot_flow(payloads_runs_gardes=2)
        assert all(c["lignes"] == 0 for c in encore.values()), encore
    finally:
        with warehouse_connect() as conn:
            for n in range(900001, 900006):
                conn.execute(sql.SQL("DROP TABLE IF EXISTS displayed.{}").format(sql.Identifier(f"acteur_v{n}")))
            conn.execute("DELETE FROM raw.source_payload WHERE flux = 'maint-flux'")
            conn.execute("DELETE FROM raw.quarantaine WHERE flux = 'maint-flux'")
