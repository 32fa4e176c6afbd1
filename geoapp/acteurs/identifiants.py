"""Identifier rules, pure."""

from __future__ import annotations

import re
import uuid

_UUID_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-4c1e-9a55-2f0d8e7c9b10")
_SOURCE_CODE = re.compile(r"^[a-z0-9_]+$")


class IdentifiantError(ValueError):
    pass


def acteur_identifiant_unique(*, source_code: str, identifiant_externe: str) -> str:
    """`<source code>_<identifiant_externe>`: stable across imports of the same source.

    The external id is trimmed and its inner whitespace collapsed to `_`; an empty one, or a source
    code that is not a lower-case code, is an error (the row cannot be matched again later)."""
    source_code = (source_code or "").strip()
    if not _SOURCE_CODE.match(source_code):
        raise IdentifiantError(f"code source invalide : {source_code!r}")
    externe = re.sub(r"\s+", "_", (identifiant_externe or "").strip())
    if not externe:
        raise IdentifiantError(f"identifiant externe vide pour la source {source_code}")
    return f"{source_code}_{externe}"


def acteur_uuid(*, identifiant_unique: str) -> str:
    """The public uuid, derived from the identifiant so that re-importing an acteur keeps it."""
    return str(uuid.uuid5(_UUID_NAMESPACE, identifiant_unique))
