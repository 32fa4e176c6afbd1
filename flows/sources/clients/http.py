"""The HTTP client every source client uses: timeouts, and the shared plumbing of
`geoapp.common.http` (retries with exponential backoff on transient errors — connection, timeout,
5xx, 429 after its `Retry-After`, a truncated JSON body — and a per-host rate limit)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import orjson

from geoapp.common.http import ReponseInvalide, avec_validation, client_http, essais_politique, tentatives


class SourceError(Exception):
    """The source cannot be read as it should: the run fails cleanly, nothing is applied."""


class SourceInjoignable(SourceError):
    """Still failing after the client's retries (the network, the server): worth retrying later."""


def _json_valide(response: httpx.Response) -> None:
    try:
        orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise ReponseInvalide(f"JSON tronqué ou invalide sur {response.request.url} : {exc}") from exc


@dataclass
class HttpClient:
    timeout: float = 60.0
    retries: int = 4  # attempts in all
    backoff: float = 1.0  # first delay, doubled each time
    rate_per_host: float = 5.0
    _client: httpx.Client | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, **overrides) -> "HttpClient":
        from django.conf import settings

        values = {"timeout": settings.SOURCES_HTTP_TIMEOUT, "retries": settings.SOURCES_HTTP_RETRIES,
                  "backoff": settings.SOURCES_HTTP_BACKOFF, "rate_per_host": settings.SOURCES_HTTP_RATE_PER_HOST}
        return cls(**{**values, **overrides})

    def __post_init__(self) -> None:
        self._essais = essais_politique(essais=max(1, self.retries), pause=self.backoff)

    def __enter__(self) -> "HttpClient":
        self._client = client_http(timeout=self.timeout, essais=self._essais, debit_par_hote=self.rate_per_host,
                                   headers={"User-Agent": "circulaire-sources/1.0"})
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, *, params: dict | None = None, parse_json: bool = False):
        """GET with retries; returns `(response, json or None)`; raises `SourceInjoignable` when the
        source stays unreachable after the retries, `SourceError` on a 4xx."""
        if self._client is None:
            with self:
                return self.get(url, params=params, parse_json=parse_json)
        essais = max(1, self.retries)
        extensions = avec_validation(self._essais, _json_valide) if parse_json else None
        try:
            response = self._client.get(url, params=params, extensions=extensions)
        except ReponseInvalide as exc:
            raise SourceInjoignable(f"{exc} (après {essais} tentatives)") from exc
        except httpx.TransportError as exc:
            raise SourceInjoignable(f"{type(exc).__name__} sur {url} (après {essais} tentatives)") from exc
        if response.status_code in (429,) or response.status_code >= 500:
            raise SourceInjoignable(f"HTTP {response.status_code} sur {url} (après {tentatives(response)} tentatives)")
        if response.status_code >= 400:
            raise SourceError(f"HTTP {response.status_code} sur {url}")
        if not parse_json:
            return response, None
        try:
            return response, orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:  # the last attempt's body, still truncated
            raise SourceInjoignable(f"JSON tronqué ou invalide sur {url} : {exc} (après {essais} tentatives)") from exc
