"""Progress of a long flow run: a Prefect progress artifact (0–100 %, shown on the run's page)
and a log line, both at most every few seconds, so that nothing runs silently for minutes."""

from __future__ import annotations

import logging
import re
import time

from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect import get_run_logger
from prefect.context import FlowRunContext
from prefect.exceptions import MissingContextError

log = logging.getLogger(__name__)


def _logger():
    try:
        return get_run_logger()  # into the run's logs, in the UI
    except MissingContextError:
        return log


class Progression:
    """`Progression(cle=..., description=...)`, then `avancer(fait, total, quoi)` from 0 to
    `total`: an artifact of key `cle` (slugged) whose value is `fait / total`; outside a flow run,
    only the log lines. `etapes` splits the bar into stages: `etape(i)` starts stage i of n."""

    def __init__(self, *, cle: str, description: str, etapes: int = 1, intervalle_s: float = 5.0) -> None:
        self.etapes, self.intervalle_s = etapes, intervalle_s
        self.etape_courante = 0
        self._dernier = 0.0
        self._en_attente: tuple[int, int | None, str] | None = None
        self.description = description
        self.artefact = None
        if FlowRunContext.get() is not None:
            self.artefact = create_progress_artifact(
                progress=0.0, key=re.sub(r"[^a-z0-9-]+", "-", cle.lower()).strip("-"), description=description)

    def _ecrire(self, pourcentage: float) -> None:
        if self.artefact is not None:
            update_progress_artifact(artifact_id=self.artefact, progress=round(pourcentage, 1))

    def etape(self, index: int, quoi: str) -> None:
        self.etape_courante = index
        self._ecrire(100.0 * index / self.etapes)
        _logger().info("%s : %s (étape %d/%d)", self.description, quoi, index + 1, self.etapes)

    def avancer(self, fait: int, total: int | None, quoi: str) -> None:
        maintenant = time.monotonic()
        fini = total is not None and fait >= total
        self._en_attente = (fait, total, quoi)
        if not fini and maintenant - self._dernier < self.intervalle_s:
            return
        self._dernier, self._en_attente = maintenant, None
        part = min(fait / total, 1.0) if total else 0.0
        self._ecrire(100.0 * (self.etape_courante + part) / self.etapes)
        _logger().info("%s : %d%s %s", self.description, fait, f"/{total}" if total else "", quoi)

    def terminer(self) -> None:
        """100 %, and the last count if it was not logged yet."""
        if self._en_attente is not None:
            fait, total, quoi = self._en_attente
            self._en_attente = None
            _logger().info("%s : %d%s %s", self.description, fait, f"/{total}" if total else "", quoi)
        self._ecrire(100.0)
