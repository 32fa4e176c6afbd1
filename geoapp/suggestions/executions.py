"""Writes of the run registry (`ExecutionSource`): a run starts, finishes, is refused (another run
of its flux is alive) or is found interrupted; the advisory lock that tells whether a run of a flux
is alive. Used by the source flows and the enrichment flows alike."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import psycopg
from django.utils import timezone

from .models import ExecutionSource, StatutExecution


def execution_start(*, run_id: str, flux: str, sources: list[str]) -> ExecutionSource:
    execution, _ = ExecutionSource.objects.update_or_create(
        run_id=run_id, defaults={"flux": flux, "sources": sorted(sources), "statut": StatutExecution.EN_COURS},
    )
    return execution


def execution_finish(*, run_id: str, reussie: bool, compteurs: dict | None = None, message: str = "") -> None:
    ExecutionSource.objects.filter(run_id=run_id).update(
        statut=StatutExecution.REUSSIE if reussie else StatutExecution.ECHOUEE,
        compteurs=compteurs or {}, message=message[:10000], fin=timezone.now(),
    )


def execution_refuser(*, run_id: str, flux: str, sources: list[str], message: str) -> ExecutionSource:
    """Record run `run_id` as refused, with its reason: it did nothing (another run of `flux` is
    alive and a second one must not write beside it)."""
    execution, _ = ExecutionSource.objects.update_or_create(
        run_id=run_id, defaults={"flux": flux, "sources": sorted(sources), "statut": StatutExecution.REFUSEE,
                                 "message": message[:10000], "fin": timezone.now()},
    )
    return execution


def executions_interrompues_marquer(*, flux: str, run_id: str) -> int:
    """Mark the runs of `flux` other than `run_id` still `en_cours` as `interrompue`, with a
    message (their process died: SIGKILL, machine lost). Call it only when no other run of `flux`
    is alive (see `execution_verrou`). Returns how many were marked."""
    return ExecutionSource.objects.filter(flux=flux, statut=StatutExecution.EN_COURS).exclude(run_id=run_id).update(
        statut=StatutExecution.INTERROMPUE, fin=timezone.now(),
        message=f"interrompue : le processus s'est arrêté sans terminer (constaté au début de l'exécution {run_id})")


@contextmanager
def execution_verrou(*, flux: str) -> Iterator[bool]:
    """Hold, for the life of a run, a session advisory lock named after `flux` on a connection
    of its own: a killed process loses its connection, hence the lock. Yields whether it was
    obtained (False: another run of `flux` is alive)."""
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or None,
                         password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True) as conn:
        obtenu = conn.execute("SELECT pg_try_advisory_lock(hashtext('execution-source:' || %s))", [flux]).fetchone()[0]
        yield bool(obtenu)
