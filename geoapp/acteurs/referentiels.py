"""Pure parsing of the referential files (`data/reference/*.json`, Django fixtures of the service
this project replaces, with natural keys = codes) into rows for our models. No database here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE_FILES = ["actions.json", "categories.json", "acteur_types.json", "acteur_services.json",
                   "labels.json", "sources.json"]


@dataclass(frozen=True)
class ReferentielSpec:
    """How one fixture model maps onto one of ours."""

    fixture_model: str
    model: str  # our model name in the acteurs app
    fields: tuple[str, ...]
    foreign_keys: dict[str, str] = field(default_factory=dict)  # fixture field -> our `<field>_id`
    many_to_many: tuple[str, ...] = ()


# In dependency order: a model's foreign keys point at models above it.
SPECS: tuple[ReferentielSpec, ...] = (
    ReferentielSpec("qfdmo.actiondirection", "ActionDirection", ("libelle", "order")),
    ReferentielSpec("qfdmo.groupeaction", "GroupeAction",
                    ("libelle", "afficher", "description", "order", "couleur", "couleur_claire", "fill", "icon")),
    ReferentielSpec("qfdmo.action", "Action",
                    ("libelle", "libelle_groupe", "afficher", "description", "order", "couleur", "icon"),
                    foreign_keys={"groupe_action": "groupe_action_id"}, many_to_many=("directions",)),
    ReferentielSpec("qfdmo.categorieobjet", "CategorieObjet", ("libelle",)),
    ReferentielSpec("qfdmo.souscategorieobjet", "SousCategorieObjet",
                    ("libelle", "afficher", "afficher_carte", "reemploi_possible"),
                    foreign_keys={"categorie": "categorie_id"}),
    ReferentielSpec("qfdmo.acteurtype", "ActeurType", ("libelle",)),
    ReferentielSpec("qfdmo.acteurservice", "ActeurService", ("libelle",), many_to_many=("actions",)),
    ReferentielSpec("qfdmo.labelqualite", "LabelQualite", ("libelle", "afficher", "bonus", "type_enseigne", "url", "order")),
    ReferentielSpec("qfdmo.source", "Source", ("libelle", "afficher", "url", "licence")),
)

_DEFAULTS = {"libelle": "", "description": "", "url": "", "couleur": "", "couleur_claire": "", "icon": "",
             "libelle_groupe": "", "order": 0}


class ReferentielError(ValueError):
    pass


def _natural_key(value, *, where: str) -> str:
    """Fixtures give natural keys as `["code"]` (or a bare code)."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    if isinstance(value, str) and value:
        return value
    raise ReferentielError(f"{where}: clé naturelle invalide {value!r}")


def referentiel_rows(records: list[dict]) -> dict[str, list[dict]]:
    """Fixture records → {our model name: [row]}; a row is {"code", fields..., "<fk>_id", "m2m": {name: [codes]}}."""
    by_fixture = {spec.fixture_model: spec for spec in SPECS}
    out: dict[str, list[dict]] = {spec.model: [] for spec in SPECS}
    for i, record in enumerate(records):
        spec = by_fixture.get(record.get("model"))
        if spec is None:
            continue
        src = record.get("fields", {})
        code = src.get("code")
        if not isinstance(code, str) or not code.strip():
            raise ReferentielError(f"{record.get('model')} n°{i}: code manquant")
        row: dict = {"code": code.strip()}
        for name in spec.fields:
            value = src.get(name)
            row[name] = _DEFAULTS.get(name) if value is None else value
        for name, column in spec.foreign_keys.items():
            row[column] = _natural_key(src.get(name), where=f"{spec.model} {code}.{name}")
        row["m2m"] = {
            name: sorted(_natural_key(v, where=f"{spec.model} {code}.{name}") for v in src.get(name) or [])
            for name in spec.many_to_many
        }
        out[spec.model].append(row)
    return out


def referentiel_read(reference_dir: Path) -> dict[str, list[dict]]:
    records: list[dict] = []
    for name in REFERENCE_FILES:
        records.extend(json.loads((reference_dir / name).read_text(encoding="utf-8")))
    return referentiel_rows(records)
