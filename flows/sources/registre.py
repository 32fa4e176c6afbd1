"""Every source flow key → how to fetch it, read its archived payloads and normalise a record.
The eco-organismes come from the declarative `config.ECO_ORGANISMES`; CMA, pharmacies, SINOE and
the S3 files are added by their modules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterator

from django.conf import settings

from .clients.datafair import Payload, datafair_lines, datafair_records, datafair_schema
from .clients.http import HttpClient
from .config import ADEME, ECO_ORGANISMES, EO_KNOWN_FIELDS, EcoOrganisme
from .normalise import eo_normaliser


@dataclass(frozen=True)
class SourceSpec:
    flux: str
    sources: tuple[str, ...]
    fetch: Callable[[HttpClient, str], Iterator[Payload]]  # (client, base_url) → payloads
    records: Callable[[list[Payload]], list[dict]]  # archived payloads → records
    normaliser: Callable[[dict], list[dict]]
    base_url: Callable[[], str]
    champs_connus: frozenset | None = None
    complet: bool = True  # a complete extract: absent acteurs are proposed for deletion
    config: object = None  # the declarative configuration (eco-organismes), part of its rules

    def regles(self) -> str:
        """The rules a record goes through, as text (configuration, mapping files): a record's
        fingerprint depends on them, so that new rules normalise every record again."""
        from .normalise import MAPPING_FILE

        return f"{self.config!r}|{MAPPING_FILE.read_text(encoding='utf-8')}"


def _eo_fetch(config: EcoOrganisme, client: HttpClient, base_url: str) -> Iterator[Payload]:
    yield datafair_schema(client, base_url=base_url, dataset=config.dataset)
    yield from datafair_lines(client, base_url=base_url, dataset=config.dataset,
                              size=settings.SOURCES_DATAFAIR_PAGE_SIZE)


def eo_spec(config: EcoOrganisme) -> SourceSpec:
    host_setting = "SOURCES_DATAFAIR_ADEME_URL" if config.host == ADEME else "SOURCES_DATAFAIR_POINTSAPPORT_URL"
    return SourceSpec(
        flux=config.cle, sources=config.sources, fetch=partial(_eo_fetch, config), records=datafair_records,
        normaliser=partial(eo_normaliser, config=config), base_url=lambda: getattr(settings, host_setting),
        champs_connus=EO_KNOWN_FIELDS, config=config,
    )


SPECS: dict[str, SourceSpec] = {cle: eo_spec(c) for cle, c in ECO_ORGANISMES.items()}


def spec_get(flux: str) -> SourceSpec:
    if flux not in SPECS:
        from . import autres  # noqa: F401  (registers CMA, pharmacies, SINOE, S3)

        if flux.startswith("s3/"):
            return autres.s3_spec(flux.removeprefix("s3/"))
    try:
        return SPECS[flux]
    except KeyError:
        raise ValueError(f"source inconnue : {flux} (connues : {', '.join(sorted(SPECS))})") from None
