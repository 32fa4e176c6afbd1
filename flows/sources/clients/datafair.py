"""data-fair (data.pointsapport.ademe.fr, data.ademe.fr): `/lines` pages linked by `next`, and
`/schema`. The envelope is `{"total", "next", "results"}`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import quote, urlencode

from .http import HttpClient, SourceError

log = logging.getLogger(__name__)


@dataclass
class Payload:
    kind: str  # page | schema | file | nomenclature
    url: str
    body: bytes
    records: list | None = None


def dataset_url(base_url: str, dataset: str, endpoint: str) -> str:
    return f"{base_url.rstrip('/')}/data-fair/api/v1/datasets/{quote(dataset, safe='()-_')}/{endpoint}"


def datafair_schema(client: HttpClient, *, base_url: str, dataset: str) -> Payload:
    url = dataset_url(base_url, dataset, "schema")
    response, data = client.get(url, parse_json=True)
    if not isinstance(data, list) or not all(isinstance(f, dict) and "key" in f for f in data):
        raise SourceError(f"schéma data-fair inattendu sur {url}")
    return Payload("schema", url, response.content, data)


def schema_keys(schema: list[dict]) -> list[str]:
    """Pure: the non-calculated keys of a data-fair schema (those missing from lines become "")."""
    return [f["key"] for f in schema if not f.get("x-calculated")]


def page_records(data, *, url: str) -> list[dict]:
    """Pure: the records of one page, or `SourceError` when the page is not a data-fair envelope."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list) \
            or not all(isinstance(r, dict) for r in data["results"]):
        raise SourceError(f"page au format inattendu (pas d'enveloppe data-fair) sur {url}")
    nxt = data.get("next")
    if nxt is not None and not isinstance(nxt, str):
        raise SourceError(f"lien next invalide sur {url}")
    return data["results"]


def datafair_lines(client: HttpClient, *, base_url: str, dataset: str, params: dict | None = None,
                   size: int = 10000) -> Iterator[Payload]:
    """Every page of a dataset, following `next` until it is absent; a `next` already visited is
    an error (a loop), not an endless run, and so is an extract shorter (or longer) than the
    `total` its last page announces (a pagination cut short would read as mass deletions)."""
    url = dataset_url(base_url, dataset, "lines") + "?" + urlencode({"size": size, **(params or {})})
    seen: set[str] = set()
    received = 0
    total = None
    while url:
        if url in seen:
            raise SourceError(f"lien next en boucle : {url}")
        seen.add(url)
        response, data = client.get(url, parse_json=True)
        records = page_records(data, url=url)
        received += len(records)
        total = data.get("total")
        log.info("%s : %d lignes reçues%s", dataset, received, f" sur {total}" if total else "")
        yield Payload("page", url, response.content, records)
        url = data.get("next")
    if isinstance(total, int) and received != total:
        raise SourceError(f"extrait tronqué : {received} lignes reçues pour {total} annoncées ({dataset})")


def datafair_records(payloads: list[Payload]) -> list[dict]:
    """Pure: the records of archived data-fair payloads, in order; the schema's non-calculated
    keys missing from a line are added as ""."""
    import orjson as json

    keys: list[str] = []
    records: list[dict] = []
    for p in payloads:
        data = json.loads(p.body)
        if p.kind == "schema":
            keys = schema_keys(data)
        elif p.kind == "page":
            records += page_records(data, url=p.url)
    if keys:
        for r in records:
            for k in keys:
                r.setdefault(k, "")
    return records
