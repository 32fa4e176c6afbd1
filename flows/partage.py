"""Heavy flows split in parts (by département): each part is a flow run of one deployment
(`run_deployment`), picked by whichever worker of the `process` pool is free, on any host. The
parent flow waits for them; a part whose worker died (Crashed) is run again — the same flow run,
put back in the queue — up to `tentatives` times: every part is idempotent, so a part run twice
leaves the data of a part run once.

The global concurrency limits declared in `LIMITES` (created by `limites_creer` when absent, never
overwritten: operators tune them in the UI or with `prefect gcl update`) protect what the parts
share: `base-de-donnees` bounds the parts querying or writing PostgreSQL at once, `api-ban` is a
rate limit (slots freed at `slot_decay_per_second`) on the BAN API's requests."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

import flows  # noqa: F401  (Prefect and Django defaults)

LIMITE_BASE = "base-de-donnees"
LIMITE_API_BAN = "api-ban"


@dataclass(frozen=True)
class Limite:
    nom: str
    limite: int
    decroissance: float | None = None  # slots freed per second: a rate limit
    description: str = ""


LIMITES = (
    Limite(LIMITE_BASE, 4, description="parts querying or writing PostgreSQL at once"),
    # the BAN API allows 50 requests/s per IP address; its batch endpoint far fewer: 5/s
    Limite(LIMITE_API_BAN, 5, decroissance=5.0, description="BAN API requests per second"),
)

TERMINES = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def limites_creer() -> list[str]:
    """Create the global concurrency limits of `LIMITES` that the server lacks; returns their names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectNotFound

    creees = []
    with get_client(sync_client=True) as client:
        for limite in LIMITES:
            try:
                client.read_global_concurrency_limit_by_name(limite.nom)
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=limite.nom, limit=limite.limite, slot_decay_per_second=limite.decroissance or 0.0))
                creees.append(limite.nom)
    return creees


def decision(etat: str, tentative: int, tentatives: int, worker_hors_ligne: bool = False) -> str:
    """Pure: what the parent does with a part in state `etat` at its `tentative`-th run, its worker
    offline or not: `attendre` (not finished), `relancer` (crashed, attempts left), `fin` (done, for
    good or ill). A part Pending or Running on an offline worker has crashed: nobody runs it."""
    if etat in ("PENDING", "RUNNING") and worker_hors_ligne:
        etat = "CRASHED"
    if etat not in TERMINES:
        return "attendre"
    if etat == "CRASHED" and tentative < tentatives:
        return "relancer"
    return "fin"


def parties_executer(*, deploiement: str, parametres: list[dict], tentatives: int = 3,
                     intervalle: float = 2.0) -> dict[str, dict]:
    """Run one flow run of `deploiement` per parameter set, in parallel on the pool's workers, and
    wait for all of them. Returns, by flow run name: its parameters, final state and attempts.
    Called from a parent flow: the parts are its subflow runs in the UI."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.states import Crashed, Scheduled

    parts: dict[UUID, dict] = {}
    for params in parametres:
        run = run_deployment(name=deploiement, parameters=params, timeout=0, as_subflow=True)
        parts[run.id] = {"parametres": params, "tentative": 1, "etat": "SCHEDULED", "nom": run.name,
                         "depuis": _maintenant()}
    with get_client(sync_client=True) as client:
        while True:
            en_cours = 0
            for run_id, part in parts.items():
                if part["etat"] in TERMINES and part.get("fin"):
                    continue
                run = client.read_flow_run(run_id)
                part["etat"] = run.state.type.value if run.state else "SCHEDULED"
                worker = None
                if part["etat"] in ("PENDING", "RUNNING"):
                    worker = _worker_du_run(client, run_id, depuis=part["depuis"])
                hors_ligne = worker is not None and _worker_hors_ligne(client, run.work_pool_name, worker)
                action = decision(part["etat"], part["tentative"], tentatives, hors_ligne)
                if hors_ligne:
                    client.set_flow_run_state(run_id, Crashed(message=f"worker {worker} hors ligne"), force=True)
                    if action == "fin":
                        part["etat"] = "CRASHED"
                if action == "relancer":
                    # the same flow run, back in the work queue: the next free worker takes it
                    part["depuis"] = _maintenant()
                    client.set_flow_run_state(run_id, Scheduled(), force=True)
                    part["tentative"] += 1
                    part["etat"] = "SCHEDULED"
                    print(f"partie {part['nom']} {part['parametres']} interrompue (Crashed) : relancée "
                          f"({part['tentative']}/{tentatives})")
                    en_cours += 1
                elif action == "fin":
                    part["fin"] = True
                else:
                    en_cours += 1
            if not en_cours:
                break
            time.sleep(intervalle)
    return {p["nom"]: {"parametres": p["parametres"], "etat": p["etat"], "tentatives": p["tentative"]}
            for p in parts.values()}


def _maintenant() -> str:
    return datetime.now(timezone.utc).isoformat()


def _worker_du_run(client, run_id: UUID, *, depuis: str) -> str | None:
    """The name of the worker that took flow run `run_id` since `depuis` (its submission event:
    not an earlier attempt's), if known yet."""
    reponse = client.request("POST", "/events/filter", json={"filter": {
        "occurred": {"since": depuis},
        "event": {"name": ["prefect.worker.submitted-flow-run"]},
        "any_resource": {"id": [f"prefect.flow-run.{run_id}"]}}, "limit": 10})
    events = sorted(reponse.json()["events"], key=lambda e: e["occurred"])
    return events[-1]["resource"].get("prefect.resource.name") if events else None


def _worker_hors_ligne(client, pool: str | None, worker: str) -> bool:
    if not pool:
        return False
    statuts = {w.name: w.status.value for w in client.read_workers_for_work_pool(pool) if w.status}
    return statuts.get(worker) == "OFFLINE"
