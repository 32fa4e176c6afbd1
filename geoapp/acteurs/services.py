"""Writes of acteurs and referentials. Flows and admin actions call these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from . import models
from .selectors import paires_par_action
from .identifiants import acteur_identifiant_unique, acteur_uuid
from .referentiels import SPECS, referentiel_read


@dataclass
class LoadStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@transaction.atomic
def referentiel_load(*, reference_dir: Path) -> dict[str, dict[str, int]]:
    """Upsert every referential by code. Only rows that differ are written: loading the same files
    twice changes nothing (the second run reports everything unchanged)."""
    rows_by_model = referentiel_read(reference_dir)
    report: dict[str, dict[str, int]] = {}
    for spec in SPECS:
        model = getattr(models, spec.model)
        rows = rows_by_model[spec.model]
        existing = {obj.pk: obj for obj in model.objects.all()}
        columns = [*spec.fields, *spec.foreign_keys.values()]
        created: set[str] = set()
        updated: set[str] = set()
        to_update = []
        for row in rows:
            values = {c: row[c] for c in columns}
            obj = existing.get(row["code"])
            if obj is None:
                created.add(row["code"])
            elif any(getattr(obj, c) != v for c, v in values.items()):
                for c, v in values.items():
                    setattr(obj, c, v)
                to_update.append(obj)
                updated.add(row["code"])
        model.objects.bulk_create([model(code=r["code"], **{c: r[c] for c in columns}) for r in rows if r["code"] in created])
        if to_update:
            model.objects.bulk_update(to_update, columns)
        for name in spec.many_to_many:
            through = getattr(model, name).through
            source_col = f"{model._meta.model_name}_id"
            target_col = next(f.column for f in through._meta.fields if f.column not in ("id", source_col))
            wanted = {(row["code"], t) for row in rows for t in row["m2m"][name]}
            current = set(through.objects.filter(**{f"{source_col}__in": [r["code"] for r in rows]})
                          .values_list(source_col, target_col))
            for source, target in current - wanted:
                through.objects.filter(**{source_col: source, target_col: target}).delete()
            through.objects.bulk_create([through(**{source_col: s, target_col: t}) for s, t in wanted - current])
            updated |= {code for code, _ in wanted ^ current} - created
        report[spec.model] = LoadStats(
            created=len(created), updated=len(updated), unchanged=len(rows) - len(created) - len(updated)
        ).as_dict()
    return report


def _natural(value) -> str | None:
    if isinstance(value, list) and value:
        return value[0] if isinstance(value[0], str) else value[0][0]
    return value or None


def _codes(values) -> list[str]:
    return sorted(v[0] if isinstance(v, list) else v for v in values or [])


def acteur_rows_from_fixture(records: list[dict]) -> list[dict]:
    """Pure: the bundled real acteurs (`displayedacteur` fixtures) → rows for `Acteur`.
    With a source and an external id the identifiant follows the rule; without, the acteur was
    created by hand upstream and keeps its public uuid as identifiant."""
    rows = []
    for record in records:
        f = record["fields"]
        source = _natural(f.get("source")) or _natural(_codes(f.get("sources")))
        externe = (f.get("identifiant_externe") or "").strip()
        if source and externe:
            identifiant = acteur_identifiant_unique(source_code=source, identifiant_externe=externe)
        else:
            identifiant = f["uuid"]
        rows.append({
            "identifiant_unique": identifiant,
            "uuid": f.get("uuid") or acteur_uuid(identifiant_unique=identifiant),
            "identifiant_externe": externe,
            "source_id": source,
            "acteur_type_id": _natural(f.get("acteur_type")),
            "location": f.get("location"),
            "statut": f.get("statut") or models.ActeurStatut.ACTIF,
            "labels": _codes(f.get("labels")),
            "acteur_services": _codes(f.get("acteur_services")),
            **{k: (f.get(k) or "") for k in (
                "nom", "nom_commercial", "nom_officiel", "description", "siren", "siret", "naf_principal",
                "adresse", "adresse_complement", "code_postal", "ville", "url", "email", "telephone",
                "horaires_osm", "horaires_description", "public_accueilli", "reprise", "commentaires")},
            "exclusivite_de_reprisereparation": f.get("exclusivite_de_reprisereparation"),
            "uniquement_sur_rdv": f.get("uniquement_sur_rdv"),
        })
    return rows


@transaction.atomic
def acteur_load_reference(*, reference_dir: Path) -> dict[str, int]:
    """Load the bundled real acteurs and their propositions de service (idempotent upsert)."""
    records = json.loads((reference_dir / "acteurs.json").read_text(encoding="utf-8"))
    propositions = json.loads((reference_dir / "propositions_services.json").read_text(encoding="utf-8"))
    by_uuid: dict[str, str] = {}
    stats = LoadStats()
    for row in acteur_rows_from_fixture(records):
        labels, services = row.pop("labels"), row.pop("acteur_services")
        location = row.pop("location")
        row["location"] = GEOSGeometry(location) if location else None
        acteur, created = models.Acteur.objects.update_or_create(
            identifiant_unique=row.pop("identifiant_unique"), defaults=row
        )
        acteur.labels.set(labels)
        acteur.acteur_services.set(services)
        by_uuid[acteur.uuid] = acteur.pk
        stats.created += created
        stats.updated += not created
    for record in propositions:
        f = record["fields"]
        acteur_id = by_uuid.get(_natural(f["acteur"]))
        if acteur_id is None:
            continue
        proposition, _ = models.PropositionService.objects.get_or_create(
            acteur_id=acteur_id, action_id=_natural(f["action"])
        )
        proposition.sous_categories.set(_codes(f.get("sous_categories")))
    return stats.as_dict()


def displayed_acteur_refresh() -> dict[str, int]:
    """Recompute the displayed acteurs in the warehouse and swap them into the web app."""
    from .displayed import displayed_acteur_compute, displayed_acteur_publish

    computed = displayed_acteur_compute()
    published = displayed_acteur_publish(version=computed.version)
    return {"computed": computed.rows, "published": published}


def displayed_acteur_refresh_partial(*, identifiants: list[str]) -> dict[str, int]:
    """Refresh only the displayed acteurs `identifiants` touch (themselves, their parents and
    children): a correction shows in about a second, without the full rebuild (kept for the
    nightly run). Call it after the change committed."""
    from .displayed import (
        displayed_acteur_compute_partial,
        displayed_acteur_publish_partial,
        displayed_partial_drop,
        displayed_units_touched,
    )

    touched = displayed_units_touched(identifiants=identifiants)
    if not touched:
        return {"touches": 0, "computed": 0, "published": 0}
    computed = displayed_acteur_compute_partial(identifiants=touched)
    try:
        published = displayed_acteur_publish_partial(version=computed.version, identifiants=touched)
    finally:
        displayed_partial_drop(version=computed.version)
    return {"touches": len(touched), "computed": computed.rows, "published": published}


@transaction.atomic
def revision_parent_create(*, identifiants: list[str]) -> models.RevisionActeur:
    """Make a parent (an acteur made by staff) of the duplicates `identifiants`: each gets a
    revision (created empty if it had none) pointing at the new parent, which is displayed in their
    place and takes, for each field it leaves empty, the value of its most recently modified
    child. Each save goes through the model (its history records who did it). Refuses an acteur
    that is itself a parent, or fewer than two."""
    identifiants = sorted(set(identifiants))
    if len(identifiants) < 2:
        raise ValueError("Choisissez au moins deux acteurs.")
    parents = sorted(set(models.RevisionActeur.objects.filter(parent__identifiant_unique__in=identifiants)
                         .values_list("parent_id", flat=True)))
    if parents:
        raise ValueError(f"Déjà parent d'autres acteurs : {', '.join(parents)}.")
    parent = models.RevisionActeur(identifiant_unique=revision_identifiant_new())
    parent.uuid = acteur_uuid(identifiant_unique=parent.identifiant_unique)
    parent.save()
    for identifiant in identifiants:
        revision = models.RevisionActeur.objects.filter(pk=identifiant).first() or models.RevisionActeur(
            identifiant_unique=identifiant)
        revision.parent = parent
        revision.save()
    return parent


@transaction.atomic
def revision_detacher(*, identifiants: list[str]) -> list[str]:
    """Detach the revisions `identifiants` from their parent (each displayed on its own again);
    returns those that had one, and their former parents (whose display changes)."""
    touched: list[str] = []
    for revision in models.RevisionActeur.objects.filter(pk__in=identifiants, parent__isnull=False):
        touched += [revision.pk, revision.parent_id]
        revision.parent = None
        revision.save()
    return sorted(set(touched))


def revision_identifiant_new() -> str:
    """The identifiant of an acteur made by staff (no source): `revision_<32 hex>`."""
    import uuid

    return f"revision_{uuid.uuid4().hex}"


def revision_propositions_remplacer(*, revision: models.RevisionActeur, paires: set[tuple[str, str]]) -> None:
    """The revision's propositions de service become `paires` ((action, sous-catégorie)); none:
    the imported acteur's apply again."""
    models.RevisionPropositionService.objects.filter(acteur=revision).delete()
    for action, sous_categories in paires_par_action(paires).items():
        models.RevisionPropositionService.objects.create(acteur=revision, action_id=action).sous_categories.set(
            sous_categories)


def revision_champs_vides_lever(*, revision: models.RevisionActeur, valeurs: dict) -> None:
    """A value accepted by staff for a field (a suggestion applied: `valeurs`, field → value) ends
    its being forced empty; an empty one leaves it (unsaved: the caller saves the revision)."""
    remplis = {champ for champ, valeur in valeurs.items() if valeur not in (None, "", [])}
    revision.champs_vides = [c for c in revision.champs_vides or [] if c not in remplis]
