"""Every source flow key → its `SourceSpec`: the eco-organismes from the declarative
`config.ECO_ORGANISMES`, CMA, pharmacies and SINOE from `autres`, and any S3 file (`s3/<key>`).
Imports run one way (registre → autres → specs); nothing registers itself by being imported."""

from __future__ import annotations

from functools import partial
from typing import Iterator

from django.conf import settings

from .autres import CMA_SPEC, PHARMACIES_SPEC, SINOE_SPEC, s3_spec
from .clients.datafair import Payload, datafair_lines, datafair_records, datafair_schema
from .clients.http import HttpClient
from .config import ADEME, ECO_ORGANISMES, EO_KNOWN_FIELDS, EcoOrganisme
from .normalise import eo_identifiant, eo_normaliser
from .specs import SourceSpec


def _eo_fetch(config: EcoOrganisme, client: HttpClient, base_url: str) -> Iterator[Payload]:
    yield datafair_schema(client, base_url=base_url, dataset=config.dataset)
    yield from datafair_lines(client, base_url=base_url, dataset=config.dataset,
                              size=settings.SOURCES_DATAFAIR_PAGE_SIZE)


def eo_spec(config: EcoOrganisme) -> SourceSpec:
    host_setting = "SOURCES_DATAFAIR_ADEME_URL" if config.host == ADEME else "SOURCES_DATAFAIR_POINTSAPPORT_URL"
    return SourceSpec(
        flux=config.cle, sources=config.sources, fetch=partial(_eo_fetch, config), records=datafair_records,
        normaliser=partial(eo_normaliser, config=config), base_url=lambda: getattr(settings, host_setting),
        champs_connus=EO_KNOWN_FIELDS, config=config, identifiant=partial(eo_identifiant, config=config),
    )


SPECS: dict[str, SourceSpec] = {
    **{cle: eo_spec(c) for cle, c in ECO_ORGANISMES.items()},
    **{spec.flux: spec for spec in (CMA_SPEC, PHARMACIES_SPEC, SINOE_SPEC)},
}


def spec_get(flux: str) -> SourceSpec:
    if flux.startswith("s3/") and flux not in SPECS:
        return s3_spec(flux.removeprefix("s3/"))
    try:
        return SPECS[flux]
    except KeyError:
        raise ValueError(f"source inconnue : {flux} (connues : {', '.join(sorted(SPECS))})") from None
