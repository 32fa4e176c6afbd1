"""What a source flow is: how to fetch it, read its archived payloads and normalise a record
(`SourceSpec`). The specs themselves are in `registre` (eco-organismes) and `autres` (CMA,
pharmacies, SINOE, S3); `registre` gathers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from .clients.datafair import Payload
from .clients.http import HttpClient
from .normalise import MAPPING_FILE


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
    # a record → the identifiant of its acteur whenever it can be read (None otherwise): a row
    # that fails normalisation for any reason still protects its acteur from deletion
    identifiant: Callable[[dict], str | None] | None = None

    def regles(self) -> str:
        """The rules a record goes through, as text (configuration, mapping files): a record's
        fingerprint depends on them, so that new rules normalise every record again."""
        return f"{self.config!r}|{MAPPING_FILE.read_text(encoding='utf-8')}"
