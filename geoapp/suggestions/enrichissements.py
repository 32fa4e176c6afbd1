"""Suggestions of the enrichment flows (BAN, SIRENE, INSEE, La Poste, contours): one cohort per run,
one group per acteur, field-level changes; applied where staff corrections live (RevisionActeur),
so that a later import of the acteur's source does not undo them.

The groups belong to the source `enrichissement` (created on first use, not displayed): the
source flows' apply path (`services.suggestions_apply`) is for imported data; these groups are
applied by `enrichissement_groupes_appliquer`. The values enrichments compare with are read by
`selectors.acteurs_effectifs`."""

from __future__ import annotations

import logging
from collections import Counter

from django.contrib.gis.geos import Point
from django.db import transaction

from geoapp.acteurs.models import RevisionActeur, Source
from geoapp.acteurs.services import revision_champs_vides_lever

from .application import groupe_reserver, suggestion_groupe_apply_or_mark, suggestions_apply_report, suggestions_debut
from .ecriture import GroupeACopier, groupes_copier
from .executions import execution_finish, execution_start
from .lignes import empreinte
from .models import CohorteSuggestion, GroupeSuggestion, StatutSuggestion, TypeSuggestion
from .selectors import empreintes_en_attente

log = logging.getLogger(__name__)

SOURCE_ENRICHISSEMENT = "enrichissement"
# the fields an enrichment may change (all of them RevisionActeur fields)
CHAMPS_ENRICHISSEMENT = ("nom", "siret", "siren", "code_postal", "ville", "code_commune_insee", "location", "statut")

# --- writes -----------------------------------------------------------------------------------------


def _source_enrichissement() -> str:
    Source.objects.get_or_create(code=SOURCE_ENRICHISSEMENT, defaults={
        "libelle": "Enrichissements (BAN, SIRENE, INSEE, La Poste)", "afficher": False})
    return SOURCE_ENRICHISSEMENT


@transaction.atomic
def enrichissement_cohorte_ecrire(*, flux: str, run_id: str, propositions: list[dict]) -> dict:
    """Record run `run_id` of enrichment flow `flux` and write its proposals as ONE cohort (type
    modification) → one group per acteur → its changes. Each proposal: `{identifiant_unique,
    changements: {champ: [old, new]}, contexte: {...}}` (the context — reason, method, score — is
    kept in the group's `donnees` for staff). A proposal already waiting, validated or rejected
    (same flow, acteur and values) is not written again; without anything new, no cohort."""
    source = _source_enrichissement()
    execution = execution_start(run_id=run_id, flux=flux, sources=[source])
    deja = empreintes_en_attente(source_codes=[source])
    nouvelles: list[tuple[dict, str]] = []
    counts: Counter = Counter()
    for p in propositions:
        unknown = set(p["changements"]) - set(CHAMPS_ENRICHISSEMENT)
        if unknown:
            raise ValueError(f"{flux}: champs non modifiables par un enrichissement : {sorted(unknown)}")
        fp = empreinte(type=flux, identifiant_unique=p["identifiant_unique"],
                       valeurs={k: v[1] for k, v in p["changements"].items()})
        if fp in deja:
            counts["deja_proposees"] += 1
            continue
        deja.add(fp)
        nouvelles.append((p, fp))
    cohorte = None
    if nouvelles:
        cohorte = CohorteSuggestion.objects.create(execution=execution, type=TypeSuggestion.MODIFICATION)
        groupes_copier(groupes=(
            GroupeACopier(cohorte.pk, source, p["identifiant_unique"], StatutSuggestion.A_VALIDER,
                          {"flux": flux, **(p.get("contexte") or {})}, fp,
                          tuple((champ, old, new) for champ, (old, new) in p["changements"].items()))
            for p, fp in nouvelles))
    counts["proposees"] = len(nouvelles)
    execution_finish(run_id=run_id, reussie=True, compteurs=dict(counts))
    return {**counts, "cohorte": cohorte.pk if cohorte else None}


def _revision_ecrire(*, identifiant_unique: str, valeurs: dict) -> None:
    revision = RevisionActeur.objects.select_for_update().filter(pk=identifiant_unique).first()
    if revision is None:
        revision = RevisionActeur(identifiant_unique=identifiant_unique)
    for champ, valeur in valeurs.items():
        if champ == "location":
            revision.location = Point(valeur[0], valeur[1], srid=4326) if valeur else None
        elif champ in CHAMPS_ENRICHISSEMENT:
            setattr(revision, champ, valeur or "")
        else:
            raise ValueError(f"champ non modifiable par un enrichissement : {champ}")
    revision_champs_vides_lever(revision=revision, valeurs=valeurs)
    revision.full_clean(exclude=["uuid", "identifiant_unique", "parent", "labels", "acteur_services"],
                        validate_unique=False)
    revision.save()


def enrichissement_groupes_appliquer(*, groupe_ids: list[int] | None = None, refresh: bool = True) -> dict[str, int]:
    """Apply the validated enrichment groups (these ones, or all): each group's new values are
    written on the acteur's revision, in its own transaction; a failing group is marked `erreur`
    with its message and the others go on. Then the displayed acteurs are refreshed once."""
    debut = suggestions_debut()
    groupes = GroupeSuggestion.objects.filter(source_id=SOURCE_ENRICHISSEMENT, statut=StatutSuggestion.VALIDEE)
    if groupe_ids is not None:
        groupes = groupes.filter(pk__in=groupe_ids)
    counts: Counter = Counter()
    for groupe in groupes.order_by("cohorte__execution_id", "pk").prefetch_related("changements"):
        counts[suggestion_groupe_apply_or_mark(groupe=groupe, apply=_groupe_sur_revision)] += 1
    return suggestions_apply_report(counts=counts, refresh=refresh, depuis=debut)


def _groupe_sur_revision(groupe: GroupeSuggestion) -> bool:
    with transaction.atomic():
        if not groupe_reserver(groupe_id=groupe.pk):  # rejected meanwhile: nothing written
            return False
        _revision_ecrire(identifiant_unique=groupe.identifiant_unique,
                         valeurs={c.champ: c.nouvelle_valeur for c in groupe.changements.all()})
    return True
