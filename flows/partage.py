"""Heavy flows split in parts (by département): each part is a flow run of one deployment
(`run_deployment`), picked by whichever worker of the `process` pool is free, on any host. The
parent flow waits for them; a part whose worker died (Crashed) is run again — the same flow run,
put back in the queue — up to `tentatives` times: every part is idempotent, so a part run twice
leaves the data of a part run once.

The global concurrency limits of `limites()` (created by `limites_creer` when absent, never
overwritten: operators tune them in the UI or with `prefect gcl update`) protect what the runs of
every host share: `base-de-donnees` bounds the parts querying or writing PostgreSQL at once, and
each outside API of `APIS_EXTERIEURES` has a rate limit named after its host (`api-data.geopf.fr`:
slots freed at `slot_decay_per_second`), which every request a flow or task run sends to that host
takes (`limite_api`, installed in the shared HTTP plumbing by `flows/__init__.py`), besides the
process's own per-host rate."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit
from uuid import UUID

import flows  # noqa: F401  (Prefect and Django defaults)

LIMITE_BASE = "base-de-donnees"


@dataclass(frozen=True)
class Limite:
    nom: str
    limite: int
    decroissance: float | None = None  # slots freed per second: a rate limit
    description: str = ""


@dataclass(frozen=True)
class ApiExterieure:
    reglage: str  # the setting holding its URL (a local stand-in server's in tests and the demo)
    debit: float  # requests per second, every host's workers together
    description: str


APIS_EXTERIEURES = (
    # the BAN API allows 50 requests/s per IP address; its batch endpoint far fewer: 5/s
    ApiExterieure("BAN_API_URL", 5.0, "API BAN (géocodage des acteurs)"),
    ApiExterieure("SOURCES_GEOCODAGE_URL", 5.0, "géocodage des lignes des sources"),
    ApiExterieure("SOURCES_DATAFAIR_POINTSAPPORT_URL", 5.0, "data-fair des points d'apport (éco-organismes)"),
    ApiExterieure("SOURCES_DATAFAIR_ADEME_URL", 5.0, "data-fair de l'ADEME (SINOE)"),
    ApiExterieure("SOURCES_CMA_URL", 5.0, "API des CMA (artisans)"),
    ApiExterieure("SOURCES_PHARMACIES_URL", 1.0, "annuaire des pharmacies"),
)


def limite_api_nom(url: str) -> str:
    """The rate limit of the host of `url` (its port included)."""
    return _limite_hote(urlsplit(url).netloc)


def _limite_hote(hote: str) -> str:
    return f"api-{hote}"


def _apis_par_limite() -> dict[str, ApiExterieure]:
    """Each outside API's limit, by name, from the settings: two APIs on one host share the first's."""
    from django.conf import settings

    par_nom: dict[str, ApiExterieure] = {}
    for api in APIS_EXTERIEURES:
        url = getattr(settings, api.reglage, "") or ""
        if urlsplit(url).netloc:
            par_nom.setdefault(limite_api_nom(url), api)
    return par_nom


def limites() -> list[Limite]:
    """The global concurrency limits the runs share, with their default values."""
    return [Limite(LIMITE_BASE, 4, description="parts querying or writing PostgreSQL at once"),
            *(Limite(nom, max(1, round(api.debit)), decroissance=api.debit,
                     description=f"{api.description} : requêtes par seconde, tous les workers")
              for nom, api in _apis_par_limite().items())]


_EXISTE: dict[str, bool] = {}  # whether the server has each limit, asked once per process


def limite_api(hote: str) -> None:
    """Before a request to `hote`: inside a flow or task run, one slot of the rate limit of that
    outside API's host, waiting for it; nothing for another host or outside a run (the web app). A
    limit the server lacks (not created yet) is skipped; the server is asked once per process."""
    from prefect.context import FlowRunContext, TaskRunContext

    nom = _limite_hote(hote)
    if nom not in _apis_par_limite() or (FlowRunContext.get() is None and TaskRunContext.get() is None):
        return
    if nom not in _EXISTE:
        from prefect.client.orchestration import get_client
        from prefect.exceptions import ObjectNotFound

        with get_client(sync_client=True) as client:
            try:
                client.read_global_concurrency_limit_by_name(nom)
                _EXISTE[nom] = True
            except ObjectNotFound:
                _EXISTE[nom] = False
    if _EXISTE[nom]:
        from prefect.concurrency.sync import rate_limit

        rate_limit(nom)


def limites_creer() -> list[str]:
    """Create the global concurrency limits of `limites()` that the server lacks; returns their names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectNotFound

    creees = []
    with get_client(sync_client=True) as client:
        for limite in limites():
            try:
                client.read_global_concurrency_limit_by_name(limite.nom)
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=limite.nom, limit=limite.limite, slot_decay_per_second=limite.decroissance or 0.0))
                creees.append(limite.nom)
    for nom in creees:
        _EXISTE[nom] = True
    return creees


TERMINES = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


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
