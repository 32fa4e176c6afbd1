"""CMA Répar'Acteurs (apiopendata.artisanat.fr/reparacteur): `{"total_entries", "data"}` pages
numbered `page` (1…) of `page_size` records; a first call with `page_size=1` reads the total."""

from __future__ import annotations

import logging
import math
from typing import Iterator

from .datafair import Payload
from .http import HttpClient, SourceError

log = logging.getLogger(__name__)


def cma_envelope(data, *, url: str) -> tuple[int, list[dict]]:
    """Pure: (total_entries, data) of one page, or `SourceError`."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list) \
            or not isinstance(data.get("total_entries"), int):
        raise SourceError(f"page CMA au format inattendu sur {url}")
    return data["total_entries"], data["data"]


def cma_pages(client: HttpClient, *, base_url: str, page_size: int = 1000) -> Iterator[Payload]:
    url = f"{base_url.rstrip('/')}/reparacteur"
    _, first = client.get(url, params={"page": 1, "page_size": 1}, parse_json=True)
    total, _ = cma_envelope(first, url=url)
    pages = math.ceil(total / page_size)
    received = 0
    for page in range(1, pages + 1):
        response, data = client.get(url, params={"page": page, "page_size": page_size}, parse_json=True)
        _, records = cma_envelope(data, url=str(response.url))
        received += len(records)
        log.info("cma : page %d/%d, %d lignes sur %d", page, pages, received, total)
        yield Payload("page", str(response.url), response.content, records)
    if received != total:
        raise SourceError(f"CMA : {received} lignes reçues pour {total} annoncées")


def cma_records(payloads: list[Payload]) -> list[dict]:
    import orjson as json

    out: list[dict] = []
    for p in payloads:
        if p.kind == "page":
            out += cma_envelope(json.loads(p.body), url=p.url)[1]
    return out
