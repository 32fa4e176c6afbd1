"""Suggestions of kind `regroupement` (flow `dedoublonnage`): duplicates of one place under one
parent. One cohort per run, one group per cluster (`identifiant_unique` = the parent's, a new one
or an existing parent), its `donnees` holding the members, the parent's fields chosen field by
field with their provenance, and the pairs with their scores.

Applied on the revisions (`RevisionActeur`): a new parent is a revision without an imported
acteur; each new child's revision points at it. Staff may reject a cluster, take members out of
it, or split it in two: a rejected pair is never proposed again (`paires_rejetees`)."""

from __future__ import annotations

import logging
from collections import Counter
from hashlib import blake2b
from itertools import combinations

from django.contrib.gis.geos import Point
from django.db import connection, transaction

from geoapp.acteurs.identifiants import acteur_uuid
from geoapp.acteurs.models import Acteur, ActeurStatut, RevisionActeur, Source

from .lignes import empreinte
from .models import ChangementSuggestion, CohorteSuggestion, GroupeSuggestion, StatutSuggestion, TypeSuggestion
from .application import groupe_reserver, suggestion_groupe_apply_or_mark, suggestions_apply_report, suggestions_debut
from .ecriture import GroupeACopier, groupes_copier
from .executions import execution_finish, execution_start

log = logging.getLogger(__name__)

SOURCE_DEDOUBLONNAGE = "dedoublonnage"
# the fields a new parent takes from its children (RevisionActeur fields)
CHAMPS_PARENT = ("nom", "nom_commercial", "acteur_type", "siret", "siren", "adresse", "adresse_complement",
                 "code_postal", "ville", "code_commune_insee", "location", "telephone", "email", "url",
                 "horaires_osm", "horaires_description")
_EN_ATTENTE = (StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.ERREUR)

# --- reads ------------------------------------------------------------------------------------------

_COLONNES = [c for c in CHAMPS_PARENT if c not in ("location", "acteur_type")]
_ACTEURS_SQL = f"""
SELECT a.identifiant_unique, a.source_id,
       {", ".join(f"COALESCE(NULLIF(r.{c}, ''), a.{c}, '')" for c in _COLONNES)},
       COALESCE(r.acteur_type_id, a.acteur_type_id),
       ST_X(COALESCE(r.location, a.location)::geometry), ST_Y(COALESCE(r.location, a.location)::geometry),
       r.parent_id, GREATEST(a.modifie_le, r.modifie_le), false
FROM acteurs_acteur a
LEFT JOIN acteurs_revisionacteur r ON r.identifiant_unique = a.identifiant_unique
WHERE COALESCE(NULLIF(r.statut, ''), a.statut) = 'ACTIF'
UNION ALL
SELECT r.identifiant_unique, NULL, {", ".join(f"r.{c}" for c in _COLONNES)}, r.acteur_type_id,
       ST_X(r.location::geometry), ST_Y(r.location::geometry), NULL, r.modifie_le, true
FROM acteurs_revisionacteur r
WHERE NOT EXISTS (SELECT FROM acteurs_acteur a WHERE a.identifiant_unique = r.identifiant_unique)
  AND COALESCE(NULLIF(r.statut, ''), 'ACTIF') = 'ACTIF'
ORDER BY 1
"""


def acteurs_a_dedoublonner() -> list[dict]:
    """Active imported acteurs as displayed (a revision's value over the imported one), with their
    source, parent and last modification; then the revisions without an imported acteur (staff's
    acteurs, parents among them: `est_parent`). `location` is [lon, lat] or None, `modifie_le` ISO."""
    with connection.cursor() as cursor:
        cursor.execute(_ACTEURS_SQL)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        acteur = {"identifiant_unique": row[0], "source": row[1] or "", **dict(zip(_COLONNES, row[2:2 + len(_COLONNES)]))}
        k = 2 + len(_COLONNES)
        acteur["acteur_type"] = row[k] or ""
        acteur["location"] = [round(row[k + 1], 7), round(row[k + 2], 7)] if row[k + 1] is not None else None
        acteur["parent"] = row[k + 3]
        acteur["modifie_le"] = row[k + 4].isoformat() if row[k + 4] else ""
        acteur["est_parent"] = row[k + 5]
        out.append(acteur)
    return out


def _groupes():
    return GroupeSuggestion.objects.filter(source_id=SOURCE_DEDOUBLONNAGE, cohorte__type=TypeSuggestion.REGROUPEMENT)


def regroupement_paires_rejetees() -> set[frozenset[str]]:
    """The pairs staff rejected: every new child × member of a rejected cluster, and the pairs
    recorded when members were taken out of a cluster or a cluster split."""
    out: set[frozenset[str]] = set()
    # only the keys needed, not the members' values
    for rejetees in _groupes().exclude(donnees__paires_rejetees=[]).values_list("donnees__paires_rejetees", flat=True):
        for a, b in rejetees or []:
            out.add(frozenset((a, b)))
    for enfants, nouveaux in _groupes().filter(statut=StatutSuggestion.REJETEE).values_list(
            "donnees__enfants", "donnees__nouveaux_enfants"):
        nouveaux = set(nouveaux or [])
        for a, b in combinations(sorted(enfants or []), 2):
            if a in nouveaux or b in nouveaux:
                out.add(frozenset((a, b)))
    return out


def regroupement_membres_en_attente() -> set[str]:
    """The acteurs of a cluster still waiting (or validated, not yet applied): the flow does not
    propose them again elsewhere meanwhile."""
    out: set[str] = set()
    for nouveaux in _groupes().filter(statut__in=_EN_ATTENTE).values_list("donnees__nouveaux_enfants", flat=True):
        out.update(nouveaux or [])
    return out


def parent_identifiant(membres: list[str]) -> str:
    """A new parent's identifiant_unique, stable for the same members."""
    h = blake2b("\n".join(sorted(membres)).encode(), digest_size=10).hexdigest()
    return f"regroupement_{h}"


def champs_choisir(enfants: list[dict], champs: tuple[str, ...], *,
                   priorite_sources: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """The parent's value of each field: that of the first child having one, children ranked by
    the configured source priority, then most recently modified first. Returns (values,
    provenance field → child's identifiant_unique)."""
    rang = {s: k for k, s in enumerate(priorite_sources)}
    ordonnes = sorted(enfants, key=lambda e: e["identifiant_unique"])
    ordonnes.sort(key=lambda e: e.get("modifie_le") or "", reverse=True)
    ordonnes.sort(key=lambda e: rang.get(e.get("source") or "", len(rang)))
    valeurs, provenance = {}, {}
    for champ in champs:
        for e in ordonnes:
            v = e.get(champ)
            if v not in (None, "", []):
                valeurs[champ], provenance[champ] = v, e["identifiant_unique"]
                break
    return valeurs, provenance


# --- writes -----------------------------------------------------------------------------------------


def _source_dedoublonnage() -> str:
    Source.objects.get_or_create(code=SOURCE_DEDOUBLONNAGE, defaults={
        "libelle": "Dédoublonnage (regroupements d'acteurs)", "afficher": False})
    return SOURCE_DEDOUBLONNAGE


def _empreinte(p: dict) -> str:
    return empreinte(type=TypeSuggestion.REGROUPEMENT, identifiant_unique=p["parent"],
                     valeurs={"enfants": sorted(p["enfants"]), "nouveaux_enfants": sorted(p["nouveaux_enfants"])})


def _changements(p: dict) -> list[tuple[str, object, object]]:
    out = [("enfants", sorted(set(p["enfants"]) - set(p["nouveaux_enfants"])), sorted(p["enfants"]))]
    if p["nouveau_parent"]:
        out += [(champ, None, valeur) for champ, valeur in sorted(p["valeurs"].items())]
    return out


@transaction.atomic
def regroupement_cohorte_ecrire(*, flux: str, run_id: str, propositions: list[dict], en_attente: int = 0) -> dict:
    """Record run `run_id` and write its clusters as ONE cohort (kind regroupement) → one group per
    cluster → its changes (the children, and a new parent's fields). Each proposal: `{parent,
    nouveau_parent, enfants, nouveaux_enfants, valeurs, provenance, membres, paires}`. A cluster
    already proposed with the same members (waiting, validated, rejected or applied) is not
    written again; without anything new, no cohort. `en_attente`: the clusters left out because
    staff have not decided on their members yet (counted in the report)."""
    source = _source_dedoublonnage()
    execution = execution_start(run_id=run_id, flux=flux, sources=[source])
    deja = set(_groupes().values_list("empreinte", flat=True))
    counts: Counter = Counter()
    if en_attente:
        counts["en_attente"] = en_attente
    nouvelles = []
    for p in propositions:
        fp = _empreinte(p)
        if fp in deja:
            counts["deja_proposees"] += 1
            continue
        deja.add(fp)
        nouvelles.append((p, fp))
    cohorte = None
    if nouvelles:
        cohorte = CohorteSuggestion.objects.create(execution=execution, type=TypeSuggestion.REGROUPEMENT)
        groupes_copier(groupes=(
            GroupeACopier(cohorte.pk, source, p["parent"], StatutSuggestion.A_VALIDER,
                          {"flux": flux, **p, "paires_rejetees": []}, fp, tuple(_changements(p)))
            for p, fp in nouvelles))
    counts["proposees"] = len(nouvelles)
    counts["enfants"] = sum(len(p["nouveaux_enfants"]) for p, _ in nouvelles)
    execution_finish(run_id=run_id, reussie=True, compteurs=dict(counts))
    return {**counts, "cohorte": cohorte.pk if cohorte else None}


def _proposition_recalculer(donnees: dict, enfants: list[str]) -> dict:
    """A cluster's proposal for fewer members: same parent if it existed, else a new parent chosen
    from the remaining members."""
    membres = donnees.get("membres") or {}
    anciens = set(donnees["enfants"]) - set(donnees["nouveaux_enfants"])
    p = dict(donnees)
    p["enfants"] = sorted(enfants)
    p["nouveaux_enfants"] = sorted(set(enfants) - anciens)
    p["paires"] = [x for x in donnees.get("paires") or [] if x[0] in enfants and x[1] in enfants]
    p["membres"] = {k: v for k, v in membres.items() if k in enfants}
    if donnees["nouveau_parent"]:
        p["parent"] = parent_identifiant(p["enfants"])
        p["valeurs"], p["provenance"] = champs_choisir(
            [p["membres"][e] for e in p["enfants"] if e in p["membres"]], CHAMPS_PARENT,
            priorite_sources=tuple(donnees.get("priorite_sources") or ()))
    return p


def _groupe_remplacer(groupe: GroupeSuggestion, p: dict) -> None:
    """Rewrite a waiting group for `p` (fewer members); rejected when nothing is left to group."""
    reste = len(p["enfants"]) >= 2 and bool(p["nouveaux_enfants"])
    groupe.identifiant_unique = p["parent"]
    groupe.donnees = p
    groupe.empreinte = _empreinte(p)
    groupe.statut = groupe.statut if reste else StatutSuggestion.REJETEE
    groupe.message = "" if reste else "plus rien à regrouper après le retrait des membres"
    groupe.save()
    groupe.changements.all().delete()
    ChangementSuggestion.objects.bulk_create([ChangementSuggestion(groupe=groupe, champ=c, ancienne_valeur=o,
                                                                   nouvelle_valeur=n) for c, o, n in _changements(p)])


def _groupe_modifiable(groupe_id: int) -> GroupeSuggestion:
    groupe = _groupes().select_for_update().get(pk=groupe_id)
    if groupe.statut not in _EN_ATTENTE:
        raise ValueError(f"regroupement {groupe_id} {groupe.get_statut_display()} : il ne se modifie plus")
    return groupe


@transaction.atomic
def regroupement_membres_retirer(*, groupe_id: int, identifiants: list[str]) -> GroupeSuggestion:
    """Staff take these new children out of a waiting cluster: each of them × every other member
    is a rejected pair, never proposed again. Existing children stay (detaching them is a
    revision's business). A cluster left with nothing to group is rejected."""
    groupe = _groupe_modifiable(groupe_id)
    d = groupe.donnees
    retires = set(identifiants)
    inconnus = retires - set(d["nouveaux_enfants"])
    if inconnus:
        raise ValueError(f"pas de nouveaux membres de ce regroupement : {sorted(inconnus)}")
    restants = [e for e in d["enfants"] if e not in retires]
    p = _proposition_recalculer(d, restants)
    p["paires_rejetees"] = (d.get("paires_rejetees") or []) + [sorted((a, b)) for a in sorted(retires)
                                                                for b in d["enfants"] if b != a]
    _groupe_remplacer(groupe, p)
    return groupe


@transaction.atomic
def regroupement_scinder(*, groupe_id: int, partie: list[str]) -> tuple[GroupeSuggestion, GroupeSuggestion | None]:
    """Staff split a waiting cluster: the new children `partie` leave it for a cluster of their
    own (a new parent, in the same cohort, waiting) when they are two or more. Every pair across
    the two parts is rejected. Returns (the group, the new group or None)."""
    groupe = _groupe_modifiable(groupe_id)
    d = groupe.donnees
    partie_set = set(partie)
    if not partie_set or partie_set - set(d["nouveaux_enfants"]):
        raise ValueError("une partie se choisit parmi les nouveaux membres du regroupement")
    restants = [e for e in d["enfants"] if e not in partie_set]
    croisees = [sorted((a, b)) for a in sorted(partie_set) for b in restants]
    p = _proposition_recalculer(d, restants)
    p["paires_rejetees"] = (d.get("paires_rejetees") or []) + croisees
    _groupe_remplacer(groupe, p)
    nouveau = None
    if len(partie_set) >= 2:
        q = _proposition_recalculer({**d, "nouveau_parent": True, "nouveaux_enfants": sorted(partie_set)},
                                    sorted(partie_set))
        q["nouveau_parent"], q["paires_rejetees"] = True, []
        nouveau = GroupeSuggestion.objects.create(cohorte=groupe.cohorte, source_id=SOURCE_DEDOUBLONNAGE,
                                                  identifiant_unique=q["parent"], donnees=q, empreinte=_empreinte(q),
                                                  statut=StatutSuggestion.A_VALIDER)
        ChangementSuggestion.objects.bulk_create([ChangementSuggestion(groupe=nouveau, champ=c, ancienne_valeur=o,
                                                                       nouvelle_valeur=n) for c, o, n in _changements(q)])
    return groupe, nouveau


def _parent_creer(identifiant: str, valeurs: dict) -> None:
    if RevisionActeur.objects.filter(pk=identifiant).exists():
        return  # applied before (a replay): the parent is there
    if Acteur.objects.filter(pk=identifiant).exists():
        raise ValueError(f"{identifiant} est un acteur importé, pas un parent")
    parent = RevisionActeur(identifiant_unique=identifiant, uuid=acteur_uuid(identifiant_unique=identifiant),
                            statut=ActeurStatut.ACTIF)
    for champ, valeur in valeurs.items():
        if champ == "location":
            parent.location = Point(valeur[0], valeur[1], srid=4326) if valeur else None
        elif champ == "acteur_type":
            parent.acteur_type_id = valeur or None
        elif champ in CHAMPS_PARENT:
            setattr(parent, champ, valeur or "")
    parent.full_clean(exclude=["identifiant_unique", "uuid", "parent", "labels", "acteur_services"],
                      validate_unique=False)
    parent.save()


def _groupe_appliquer(groupe: GroupeSuggestion) -> bool:
    d = groupe.donnees
    parent_id = groupe.identifiant_unique
    with transaction.atomic():
        if not groupe_reserver(groupe_id=groupe.pk):  # rejected by staff meanwhile: nothing written
            return False
        if d["nouveau_parent"]:
            _parent_creer(parent_id, d.get("valeurs") or {})
        else:
            parent = RevisionActeur.objects.filter(pk=parent_id).first()
            if parent is None or parent.parent_id:
                raise ValueError(f"parent introuvable : {parent_id}")
        for enfant in d["nouveaux_enfants"]:
            if not Acteur.objects.filter(pk=enfant).exists():
                raise ValueError(f"acteur introuvable : {enfant}")
            revision = RevisionActeur.objects.select_for_update().filter(pk=enfant).first()
            if revision is None:
                revision = RevisionActeur(identifiant_unique=enfant)
            elif revision.parent_id and revision.parent_id != parent_id:
                raise ValueError(f"{enfant} a déjà un parent : {revision.parent_id}")
            elif RevisionActeur.objects.filter(parent_id=enfant).exists():
                raise ValueError(f"{enfant} est lui-même un parent")
            revision.parent_id = parent_id
            revision.save()
    return True


def regroupement_groupes_appliquer(*, groupe_ids: list[int] | None = None, refresh: bool = True) -> dict[str, int]:
    """Apply the validated clusters (these ones, or all), each in its own transaction: a new
    parent revision without an imported acteur (or the existing parent), its new children's
    revisions pointing at it. A failing cluster is marked `erreur` with its message and the others
    go on; then the displayed acteurs are refreshed once."""
    debut = suggestions_debut()
    groupes = _groupes().filter(statut=StatutSuggestion.VALIDEE)
    if groupe_ids is not None:
        groupes = groupes.filter(pk__in=groupe_ids)
    counts: Counter = Counter()
    for groupe in groupes.order_by("cohorte__execution_id", "pk"):
        counts[suggestion_groupe_apply_or_mark(groupe=groupe, apply=_groupe_appliquer)] += 1
    return suggestions_apply_report(counts=counts, refresh=refresh, depuis=debut)
