"""The HTTP plumbing every client of an outside service shares (the source flows' clients, the BAN
API geocoder): an httpx client whose transport retries transient failures with exponential backoff
(connection errors, timeouts, 5xx, 429), waits what a `Retry-After` asks (httpx-retries), and holds
a request rate per host shared by the whole process (pyrate-limiter), and in the flows one shared
by every process (`limite_partagee`). Each attempt, retries included, goes through the rate
limits."""

from __future__ import annotations

import logging
import ssl
import threading
from functools import lru_cache
from typing import Callable, Iterable

import httpx
from httpx_retries import Retry, RetryTransport
from pyrate_limiter import Limiter, Rate

log = logging.getLogger(__name__)

# 429 and every 5xx: the server having a bad moment (a 4xx other than 429 is an answer, not retried)
STATUTS_TRANSITOIRES = frozenset({429, *range(500, 600)})


class ReponseInvalide(httpx.HTTPError):
    """A body that does not read as it should (a truncated JSON is often a cut connection): retried
    like a network error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verification context, built once: loading the CA bundle costs ~0.1 s per
    client otherwise."""
    return httpx.create_ssl_context()


# a rate limit shared by every process (the workers of several hosts), besides this process's own:
# called with the request's host before each attempt; installed by the flows
# (`flows.partage.limite_api`), None in the web app
limite_partagee: Callable[[str], None] | None = None

_limiteurs: dict[tuple[float, str], Limiter] = {}
_limiteurs_verrou = threading.Lock()


def limiteur_hote(*, debit: float, hote: str) -> Limiter:
    """The process-wide limiter of `hote` at `debit` requests per second: one request per
    1/debit s (a sliding window of one)."""
    with _limiteurs_verrou:
        cle = (debit, hote)
        if cle not in _limiteurs:
            _limiteurs[cle] = Limiter(Rate(1, max(1, round(1000 / debit))), buffer_ms=0)
        return _limiteurs[cle]


class TransportLimite(httpx.BaseTransport):
    """Under the retries: waits for the per-host rate limit before each attempt it sends, and
    says each retry in the log (which attempt, what the previous one got)."""

    def __init__(self, transport: httpx.BaseTransport, *, debit_par_hote: float) -> None:
        self.transport = transport
        self.debit_par_hote = debit_par_hote

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        suivi = request.extensions.setdefault("essais_suivi", {"n": 0, "dernier": ""})
        if suivi["n"]:
            retry = request.extensions.get("retry")
            sur = f"/{retry.total + 1}" if isinstance(retry, Retry) else ""
            log.warning("%s sur %s ; nouvel essai (%d%s)", suivi["dernier"], request.url, suivi["n"] + 1, sur)
        suivi["n"] += 1
        hote = request.url.netloc.decode("ascii")
        if self.debit_par_hote and self.debit_par_hote > 0:
            limiteur_hote(debit=self.debit_par_hote, hote=hote).try_acquire(hote)
        if limite_partagee is not None:
            limite_partagee(hote)
        try:
            response = self.transport.handle_request(request)
        except Exception as exc:
            suivi["dernier"] = type(exc).__name__
            raise
        suivi["dernier"] = f"HTTP {response.status_code}"
        return response

    def close(self) -> None:
        self.transport.close()


def essais_politique(*, essais: int, pause: float, gigue: float = 0.5, attente_max: float = 300.0,
                     methodes: Iterable[str] = ("GET",)) -> Retry:
    """`essais` attempts in all; between them `pause`, then doubled each time (reduced by up to
    `gigue` of itself, at random, so that clients do not retry in step), or what the answer's
    `Retry-After` says (at most `attente_max`)."""
    return Retry(total=max(0, essais - 1), backoff_factor=pause / 2,  # the library's first wait is 2 × factor
                 backoff_jitter=gigue, max_backoff_wait=attente_max, respect_retry_after_header=True,
                 status_forcelist=STATUTS_TRANSITOIRES, allowed_methods=list(methodes),
                 retry_on_exceptions=(httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError,
                                      ReponseInvalide))


def client_http(*, timeout: float | httpx.Timeout, essais: Retry, debit_par_hote: float = 0.0,
                headers: dict | None = None, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client whose requests are retried by `essais` and limited per host."""
    interne = transport or httpx.HTTPTransport(verify=_ssl_context())
    return httpx.Client(timeout=timeout, follow_redirects=True, headers=headers,
                        transport=RetryTransport(TransportLimite(interne, debit_par_hote=debit_par_hote),
                                                 retry=essais))


def avec_validation(essais: Retry, valider: Callable[[httpx.Response], None]) -> dict:
    """Request extensions retrying, like a network error, an answer that `valider` refuses (it
    raises `ReponseInvalide`): pass as `client.get(..., extensions=avec_validation(...))`."""
    def valider_corps(response: httpx.Response) -> None:
        if response.is_success:
            response.read()
            valider(response)

    return {"retry": essais.copy_with(validate_response=valider_corps)}


def tentatives(response: httpx.Response) -> int:
    """How many attempts gave this response."""
    retry = response.extensions.get("retry")
    return (retry.attempts_made if isinstance(retry, Retry) else 0) + 1
