"""Writes: apply policies, suggestion cohorts, and applying validated suggestions (the run
registry's writes are in `executions`, shared with the enrichment flows).

Applying: set-wise by chunk, else one transaction per group (an acteur). A group that fails is
marked `erreur` with its message and the others go on; a group no longer `validée` when it is
written (rejected by staff meanwhile) is left as it is; then the displayed acteurs are refreshed
once."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

import psycopg
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from geoapp.acteurs.identifiants import acteur_uuid
from geoapp.acteurs.models import Acteur, ActeurStatut, PropositionService, RevisionActeur
from geoapp.acteurs.services import revision_champs_vides_lever

from .application import (
    APPLIQUEE, groupe_reserver, suggestion_groupe_apply_or_mark, suggestions_apply_report, suggestions_debut,
)
from .ecriture import GroupeACopier, groupes_copier
from .enrichissements import SOURCE_ENRICHISSEMENT, enrichissement_groupes_appliquer
from .regroupements import SOURCE_DEDOUBLONNAGE, regroupement_groupes_appliquer
from .executions import (  # noqa: F401  (the registry's writes, long called from here)
    execution_finish,
    execution_refuser,
    execution_start,
    execution_verrou,
    executions_interrompues_marquer,
)
from .lignes import CHAMPS_BOOLEENS, CHAMPS_TEXTE, empreinte
from .models import (
    ChangementSuggestion,
    CohorteSuggestion,
    ExecutionSource,
    GroupeSuggestion,
    PolitiqueApplication,
    PolitiqueSource,
    StatutSuggestion,
    TypeSuggestion,
)
from .selectors import empreintes_en_attente

log = logging.getLogger(__name__)


# --- Policy ---------------------------------------------------------------------------------------


def politique_set(*, source_codes: list[str], politique: str) -> None:
    PolitiqueApplication(politique)  # raises on an unknown policy
    for code in source_codes:
        PolitiqueSource.objects.update_or_create(source_id=code, defaults={"politique": politique})


def politique_get(*, source_code: str) -> str:
    row = PolitiqueSource.objects.filter(source_id=source_code).first()
    return row.politique if row else PolitiqueApplication.REVIEW


# --- Writing suggestions -------------------------------------------------------------------------


@transaction.atomic
def suggestions_write(*, run_id: str, propositions: list[dict], suppressions_a_valider: bool = False) -> dict[str, int]:
    """Write the proposals of a run as cohorts (one per kind) → groups → changes, in one
    transaction. Each proposal: `{type, identifiant_unique, source, donnees, changements: {champ:
    [old, new]}}`. A proposal already waiting (same fingerprint) is not written again; a source
    whose policy is `auto` gets its groups already `validée`, except its deletions when
    `suppressions_a_valider` (too many of them: staff decide). Returns counts per kind written and
    `deja_proposees`."""
    execution = ExecutionSource.objects.get(run_id=run_id)
    sources = sorted({p["source"] for p in propositions})
    deja = empreintes_en_attente(source_codes=sources)
    auto = {s for s in sources if politique_get(source_code=s) == PolitiqueApplication.AUTO}
    counts: Counter = Counter()
    cohortes: dict[str, CohorteSuggestion] = {}
    groupes: list[GroupeACopier] = []
    for p in propositions:
        fp = empreinte(type=p["type"], identifiant_unique=p["identifiant_unique"],
                       valeurs={k: v[1] for k, v in p["changements"].items()})
        if fp in deja:
            counts["deja_proposees"] += 1
            continue
        deja.add(fp)
        if p["type"] not in cohortes:
            cohortes[p["type"]], _ = CohorteSuggestion.objects.get_or_create(execution=execution, type=p["type"])
        retenue = suppressions_a_valider and p["type"] == TypeSuggestion.SUPPRESSION
        statut = StatutSuggestion.VALIDEE if p["source"] in auto and not retenue else StatutSuggestion.A_VALIDER
        counts[p["type"]] += 1
        # an ajout's values are its `donnees`: no field-level change rows
        changements = () if p["type"] == TypeSuggestion.AJOUT else tuple(
            (champ, old, new) for champ, (old, new) in p["changements"].items())
        groupes.append(GroupeACopier(cohortes[p["type"]].pk, p["source"], p["identifiant_unique"], statut,
                                     p.get("donnees") or {}, fp, changements))
    groupes_copier(groupes=groupes)
    return dict(counts)


def suggestion_groupes_set_statut(*, groupe_ids: list[int], statut: str) -> int:
    """Staff validate or reject groups (only groups still waiting or validated change)."""
    if statut not in (StatutSuggestion.VALIDEE, StatutSuggestion.REJETEE, StatutSuggestion.A_VALIDER):
        raise ValueError(f"statut non modifiable à la main : {statut}")
    return GroupeSuggestion.objects.filter(
        pk__in=groupe_ids, statut__in=[StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.ERREUR]
    ).update(statut=statut)


# --- Staff's edits of a proposed value (the back office's review) --------------------------------

SOURCES_CORRECTIONS = (SOURCE_ENRICHISSEMENT, "contribution")  # their groups are corrections already
# the values staff may edit before accepting (scalars; lists and propositions are accepted or not)
CHAMPS_MODIFIABLES = (*CHAMPS_TEXTE, *CHAMPS_BOOLEENS, "acteur_type", "location", "code_commune_insee",
                      "perimetre_rayon_km", "perimetre_departements")


def suggestion_valeur_proposee(*, groupe: GroupeSuggestion, champ: str):
    """The value applying the group will give `champ`: staff's edit, else the proposal."""
    corrections = (groupe.donnees or {}).get("corrections") or {}
    if champ in corrections:
        return corrections[champ]
    if groupe.cohorte.type == TypeSuggestion.AJOUT:
        return (groupe.donnees or {}).get(champ)
    changement = next((c for c in groupe.changements.all() if c.champ == champ), None)
    return changement.nouvelle_valeur if changement else None


@transaction.atomic
def suggestion_valeurs_modifier(*, groupe_id: int, valeurs: dict) -> dict[str, tuple]:
    """Staff edit proposed values before accepting: field → (before, after) of what changed.
    An enrichment's or a citizen's group is a correction: its proposed value itself changes. A
    source's group keeps what the source said (its imported acteur mirrors the source, and its next
    run does not propose it again): staff's value goes in `donnees["corrections"]`, written on the
    acteur's revision when the group is applied."""
    groupe = GroupeSuggestion.objects.select_for_update().select_related("cohorte").get(pk=groupe_id)
    if groupe.statut not in (StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.ERREUR):
        raise ValueError(f"suggestion {groupe.get_statut_display()} : plus modifiable")
    if groupe.cohorte.type == TypeSuggestion.SUPPRESSION:
        raise ValueError("une suppression n'a pas de valeur à modifier")
    unknown = set(valeurs) - set(CHAMPS_MODIFIABLES)
    if unknown:
        raise ValueError(f"champs non modifiables : {sorted(unknown)}")
    faits: dict[str, tuple] = {}
    donnees = dict(groupe.donnees or {})
    corrections = dict(donnees.get("corrections") or {})
    for champ, valeur in valeurs.items():
        avant = suggestion_valeur_proposee(groupe=groupe, champ=champ)
        if avant == valeur:
            continue
        faits[champ] = (avant, valeur)
        if groupe.source_id in SOURCES_CORRECTIONS:
            ChangementSuggestion.objects.update_or_create(groupe=groupe, champ=champ,
                                                         defaults={"nouvelle_valeur": valeur})
        else:
            corrections[champ] = valeur
    if corrections:
        donnees["corrections"] = corrections
        GroupeSuggestion.objects.filter(pk=groupe.pk).update(donnees=donnees, modifie_le=timezone.now())
    return faits


def _corrections_ecrire(*, groupe_ids: list[int]) -> int:
    """Staff's edits of the groups just applied, written on their acteurs' revisions."""
    n = 0
    for groupe in GroupeSuggestion.objects.filter(pk__in=groupe_ids, statut=StatutSuggestion.APPLIQUEE):
        with transaction.atomic():
            revision = RevisionActeur.objects.select_for_update().filter(pk=groupe.identifiant_unique).first() \
                or RevisionActeur(identifiant_unique=groupe.identifiant_unique)
            for champ, valeur in (groupe.donnees.get("corrections") or {}).items():
                if champ == "location":
                    revision.location = Point(valeur[0], valeur[1], srid=4326) if valeur else None
                elif champ == "acteur_type":
                    revision.acteur_type_id = valeur or None
                elif champ == "perimetre_departements":
                    revision.perimetre_departements = valeur or []
                elif champ in CHAMPS_BOOLEENS or champ == "perimetre_rayon_km":
                    setattr(revision, champ, valeur)
                elif champ != "identifiant_externe":
                    setattr(revision, champ, valeur or "")
            revision_champs_vides_lever(revision=revision, valeurs=groupe.donnees.get("corrections") or {})
            revision.full_clean(exclude=["uuid", "identifiant_unique", "parent", "labels", "acteur_services"],
                                validate_unique=False)
            revision.save()
            n += 1
    return n


# --- Applying -------------------------------------------------------------------------------------


def _acteur_write(*, identifiant_unique: str, source: str, valeurs: dict) -> None:
    """Create or update one imported acteur from field values of a ligne."""
    acteur = Acteur.objects.select_for_update().filter(pk=identifiant_unique).first()
    if acteur is None:
        acteur = Acteur(identifiant_unique=identifiant_unique, uuid=acteur_uuid(identifiant_unique=identifiant_unique),
                        source_id=source)
    for champ, valeur in valeurs.items():
        if champ in CHAMPS_TEXTE:
            setattr(acteur, champ, valeur or "")
        elif champ in CHAMPS_BOOLEENS:
            setattr(acteur, champ, valeur)
        elif champ in ("source", "acteur_type"):
            setattr(acteur, f"{champ}_id", valeur)
        elif champ == "location":
            acteur.location = Point(valeur[0], valeur[1], srid=4326) if valeur else None
        elif champ == "perimetre_rayon_km":
            acteur.perimetre_rayon_km = valeur
        elif champ == "perimetre_departements":
            acteur.perimetre_departements = valeur or []
    if not acteur.statut:
        acteur.statut = ActeurStatut.ACTIF
    acteur.full_clean(exclude=["uuid", "identifiant_unique", "labels", "acteur_services"], validate_unique=False)
    acteur.save()
    if "labels" in valeurs:
        acteur.labels.set(valeurs["labels"] or [])
    if "acteur_services" in valeurs:
        acteur.acteur_services.set(valeurs["acteur_services"] or [])
    if "propositions" in valeurs:
        PropositionService.objects.filter(acteur=acteur).delete()
        for p in valeurs["propositions"] or []:
            proposition = PropositionService.objects.create(acteur=acteur, action_id=p["action"])
            proposition.sous_categories.set(p["sous_categories"])


def suggestion_groupe_apply(*, groupe: GroupeSuggestion) -> bool:
    """Apply one group in its own transaction; raises on failure (nothing of it is written).
    False: the group was no longer `validée` (rejected meanwhile): nothing written."""
    with transaction.atomic():
        if not groupe_reserver(groupe_id=groupe.pk):
            return False
        if groupe.cohorte.type == TypeSuggestion.SUPPRESSION:
            updated = Acteur.objects.filter(pk=groupe.identifiant_unique).update(
                statut=ActeurStatut.SUPPRIME, modifie_le=timezone.now())
            if not updated:
                raise ValueError(f"acteur introuvable : {groupe.identifiant_unique}")
        elif groupe.cohorte.type == TypeSuggestion.AJOUT:
            valeurs = {k: v for k, v in groupe.donnees.items() if k != "identifiant_unique"}
            _acteur_write(identifiant_unique=groupe.identifiant_unique, source=groupe.source_id, valeurs=valeurs)
        else:
            valeurs = {c.champ: c.nouvelle_valeur for c in groupe.changements.all()}
            if not Acteur.objects.filter(pk=groupe.identifiant_unique).exists():
                raise ValueError(f"acteur introuvable : {groupe.identifiant_unique}")
            _acteur_write(identifiant_unique=groupe.identifiant_unique, source=groupe.source_id, valeurs=valeurs)
    return True


# --- Applying set-wise: a chunk of groups of one run and one kind in a few SQL statements --------
#
# The values come from the groups' rows in the database (`donnees` of an ajout, the change rows of
# a modification): nothing travels through Python row by row. Constraints are checked at once;
# any error rolls the chunk back and the caller replays it group by group.


def _point(expr: str) -> str:
    return (f"CASE WHEN jsonb_typeof({expr}) = 'array' THEN ST_SetSRID(ST_MakePoint(({expr}->>0)::float8, "
            f"({expr}->>1)::float8), 4326)::geography END")


def _elements(expr: str, text: bool = True) -> str:
    fn = "jsonb_array_elements_text" if text else "jsonb_array_elements"
    return f"{fn}(CASE WHEN jsonb_typeof({expr}) = 'array' THEN {expr} ELSE '[]'::jsonb END)"


def _valeur_sql(field, v: str) -> str | None:
    """SQL expression of a JSON value `v` for an Acteur column (None: not settable from a ligne)."""
    name, kind = field.name, field.get_internal_type()
    if name in ("source", "acteur_type"):
        return f"nullif({v} #>> '{{}}', '')"
    if name == "location":
        return _point(v)
    if name == "perimetre_departements":
        return f"coalesce(ARRAY(SELECT {_elements(v)}), '{{}}')::varchar(3)[]"
    if name == "perimetre_rayon_km":
        return f"({v} #>> '{{}}')::float8"
    if name == "statut":
        return f"coalesce(nullif({v} #>> '{{}}', ''), '{ActeurStatut.ACTIF}')"
    if kind == "BooleanField":
        return f"({v} #>> '{{}}')::boolean"
    if kind in ("CharField", "TextField", "URLField", "EmailField"):
        return f"coalesce({v} #>> '{{}}', '')"
    return None


_M2M = {"labels": (Acteur.labels.through, "labelqualite_id"),
        "acteur_services": (Acteur.acteur_services.through, "acteurservice_id")}


def _m2m_insert(cursor, champ: str, select_from: str, valeur: str, params: list) -> None:
    through, column = _M2M[champ]
    cursor.execute(f"INSERT INTO {through._meta.db_table} (acteur_id, {column}) "
                   f"SELECT DISTINCT ident, code FROM (SELECT ident, {_elements(valeur)} AS code FROM {select_from}) s",
                   params)


def _propositions_insert(cursor, select_from: str, valeur: str, params: list) -> None:
    """Propositions (action × sous-catégories) of many acteurs: ids drawn from the sequence first,
    so that each proposition's sous-catégories follow it in the same statement."""
    ps, through = PropositionService._meta.db_table, PropositionService.sous_categories.through._meta.db_table
    cursor.execute(f"""
        WITH src AS MATERIALIZED (
            SELECT nextval(pg_get_serial_sequence('{ps}', 'id')) AS pid, ident, e AS entry
            FROM (SELECT ident, {_elements(valeur, text=False)} AS e FROM {select_from}) s
        ), ins AS (
            INSERT INTO {ps} (id, acteur_id, action_id) SELECT pid, ident, entry->>'action' FROM src
        )
        INSERT INTO {through} (propositionservice_id, souscategorieobjet_id)
        SELECT DISTINCT pid, sc FROM src, {_elements("src.entry->'sous_categories'")} AS sc""", params)


def _propositions_delete(cursor, identifiants: list[str]) -> None:
    ps, through = PropositionService._meta.db_table, PropositionService.sous_categories.through._meta.db_table
    cursor.execute(f"DELETE FROM {through} WHERE propositionservice_id IN "
                   f"(SELECT id FROM {ps} WHERE acteur_id = ANY(%s))", [identifiants])
    cursor.execute(f"DELETE FROM {ps} WHERE acteur_id = ANY(%s)", [identifiants])


def _ajouts_sql(cursor, groupe_ids: list[int], identifiants: list[str]) -> None:
    table, groupes = Acteur._meta.db_table, GroupeSuggestion._meta.db_table
    cursor.execute(f"SELECT 1 FROM {table} WHERE identifiant_unique = ANY(%s) LIMIT 1", [identifiants])
    if cursor.fetchone():
        raise ValueError("acteur déjà présent")
    columns, values = [], []
    for f in Acteur._meta.concrete_fields:
        if f.name == "identifiant_unique":
            expr = "g.identifiant_unique"
        elif f.name == "uuid":
            expr = "u.uuid"
        elif f.name == "source":
            expr = "g.source_id"
        elif f.name in ("cree_le", "modifie_le"):
            expr = "now()"
        else:
            expr = _valeur_sql(f, f"(g.donnees->'{f.name}')")
            if expr is None:
                continue
        columns.append(cursor.db.ops.quote_name(f.column))
        values.append(expr)
    uuids = [acteur_uuid(identifiant_unique=i) for i in identifiants]
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                   f"FROM unnest(%s::bigint[], %s::text[]) AS u(gid, uuid) JOIN {groupes} g ON g.id = u.gid",
                   [groupe_ids, uuids])
    select_from = f"(SELECT identifiant_unique AS ident, donnees FROM {groupes} WHERE id = ANY(%s)) g"
    for champ in _M2M:
        _m2m_insert(cursor, champ, select_from, f"g.donnees->'{champ}'", [groupe_ids])
    _propositions_insert(cursor, select_from, "g.donnees->'propositions'", [groupe_ids])


def _modifications_sql(cursor, groupe_ids: list[int], identifiants: list[str]) -> None:
    table, groupes = Acteur._meta.db_table, GroupeSuggestion._meta.db_table
    changements = ChangementSuggestion._meta.db_table
    cursor.execute(f"SELECT count(*) FROM {table} WHERE identifiant_unique = ANY(%s)", [identifiants])
    if cursor.fetchone()[0] != len(set(identifiants)):
        raise ValueError("acteur introuvable")
    cursor.execute(f"SELECT DISTINCT champ FROM {changements} WHERE groupe_id = ANY(%s)", [groupe_ids])
    champs = [r[0] for r in cursor.fetchall()]
    fields = {f.name: f for f in Acteur._meta.concrete_fields}
    select_from = (f"(SELECT g.identifiant_unique AS ident, c.nouvelle_valeur AS valeur FROM {changements} c "
                   f"JOIN {groupes} g ON g.id = c.groupe_id WHERE c.groupe_id = ANY(%s) AND c.champ = %s) g")
    for champ in champs:
        if champ in _M2M or champ == "propositions":
            cursor.execute(f"SELECT ident FROM {select_from}", [groupe_ids, champ])
            touched = [r[0] for r in cursor.fetchall()]
            if champ == "propositions":
                _propositions_delete(cursor, touched)
                _propositions_insert(cursor, select_from, "g.valeur", [groupe_ids, champ])
            else:
                through, _ = _M2M[champ]
                cursor.execute(f"DELETE FROM {through._meta.db_table} WHERE acteur_id = ANY(%s)", [touched])
                _m2m_insert(cursor, champ, select_from, "g.valeur", [groupe_ids, champ])
            continue
        field = fields.get(champ)
        expr = _valeur_sql(field, "g.valeur") if field is not None and champ not in ("uuid", "identifiant_unique") \
            else None
        if expr is None:  # not a field an imported ligne sets: ignored, as group by group
            continue
        cursor.execute(f"UPDATE {table} a SET {cursor.db.ops.quote_name(field.column)} = {expr} "
                       f"FROM {select_from} WHERE a.identifiant_unique = g.ident", [groupe_ids, champ])
    cursor.execute(f"UPDATE {table} SET modifie_le = now() WHERE identifiant_unique = ANY(%s)", [identifiants])


def _suppressions_sql(cursor, identifiants: list[str]) -> None:
    table = Acteur._meta.db_table
    cursor.execute(f"UPDATE {table} SET statut = %s, modifie_le = now() WHERE identifiant_unique = ANY(%s)",
                   [ActeurStatut.SUPPRIME, identifiants])
    if cursor.rowcount != len(set(identifiants)):
        raise ValueError("acteur introuvable")


def _chunk_apply(*, type: str, groupe_ids: list[int]) -> int | None:
    """Apply a chunk of groups of one kind set-wise, in one transaction with immediate
    constraints: its first statement marks `appliquée` those still `validée` (their rows stay
    locked until the commit) and only those are written. Returns how many were applied, or None
    (nothing written) when any of them fails: the caller then applies them one by one, so that
    only the failing group is marked `erreur`."""
    from django.db import DatabaseError, connection

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {GroupeSuggestion._meta.db_table} SET statut = %s, message = '', modifie_le = now() "
                           "WHERE id = ANY(%s) AND statut = %s RETURNING id, identifiant_unique",
                           [StatutSuggestion.APPLIQUEE, list(groupe_ids), StatutSuggestion.VALIDEE])
            reserves = sorted(cursor.fetchall())
            if not reserves:
                return 0
            groupe_ids, identifiants = [r[0] for r in reserves], [r[1] for r in reserves]
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # the chunk is replayable (its groups stay `validee` until it commits): a crash right
            # after the commit may lose it, not corrupt it, so the commit need not wait for the WAL flush
            cursor.execute("SET LOCAL synchronous_commit = off")
            if type == TypeSuggestion.AJOUT:
                _ajouts_sql(cursor, groupe_ids, identifiants)
            elif type == TypeSuggestion.MODIFICATION:
                _modifications_sql(cursor, groupe_ids, identifiants)
            else:
                _suppressions_sql(cursor, identifiants)
        return len(groupe_ids)
    except (DatabaseError, psycopg.Error, ValueError, TypeError, KeyError) as exc:
        log.info("lot de %d suggestions (%s) rejoué groupe par groupe : %s", len(groupe_ids), type, exc)
        return None


def suggestions_apply(*, source_codes: list[str] | None = None, refresh: bool = True,
                      chunk: int = 5000, progression: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Apply every validated group (of these sources). Each group is all-or-nothing and a failing
    group is marked `erreur` with its message while the others go on: groups are first applied
    set-wise by chunk (one run, one kind, one transaction), and a chunk that fails is replayed
    group by group, each in its own transaction. Then, if anything was applied, the displayed
    acteurs are refreshed (only those applied, when they are few). A group rejected by staff
    meanwhile is never written."""
    debut = suggestions_debut()
    counts: Counter = Counter()
    corriges = GroupeSuggestion.objects.filter(statut=StatutSuggestion.VALIDEE, donnees__has_key="corrections")
    if source_codes is not None:
        corriges = corriges.filter(source_id__in=source_codes)
    corriges = list(corriges.values_list("pk", flat=True))  # staff edited them: their revisions follow
    if source_codes is None or SOURCE_ENRICHISSEMENT in source_codes:
        # enrichment groups are corrections: written on the revisions, never on the imported acteur
        counts.update(enrichissement_groupes_appliquer(refresh=False))  # refreshed once, below
    if source_codes is None or SOURCE_DEDOUBLONNAGE in source_codes:
        counts.update(regroupement_groupes_appliquer(refresh=False))  # clusters: parents and children's revisions
    groupes = GroupeSuggestion.objects.filter(statut=StatutSuggestion.VALIDEE).exclude(
        source_id__in=[SOURCE_ENRICHISSEMENT, SOURCE_DEDOUBLONNAGE])
    if source_codes is not None:
        groupes = groupes.filter(source_id__in=source_codes)
    # in run order, ajouts then modifications then suppressions: an acteur created and deleted in
    # two runs ends deleted
    order = {TypeSuggestion.AJOUT: 0, TypeSuggestion.MODIFICATION: 1, TypeSuggestion.SUPPRESSION: 2}
    todo = sorted(groupes.values_list("cohorte__execution_id", "cohorte__type", "pk", "identifiant_unique"),
                  key=lambda r: (r[0], order[r[1]], r[2]))
    i = 0
    while i < len(todo):
        execution, type_ = todo[i][:2]
        batch = []
        while i < len(todo) and todo[i][:2] == (execution, type_) and len(batch) < chunk:
            batch.append(todo[i])
            i += 1
        appliquees = _chunk_apply(type=type_, groupe_ids=[r[2] for r in batch])
        if appliquees is not None:
            counts[APPLIQUEE] += appliquees
            if progression is not None:  # groups done (applied or not) out of those validated
                progression(i, len(todo))
            continue
        for groupe in GroupeSuggestion.objects.filter(pk__in=[r[2] for r in batch]).select_related("cohorte") \
                .order_by("pk"):
            counts[suggestion_groupe_apply_or_mark(groupe=groupe, apply=lambda g: suggestion_groupe_apply(groupe=g))] += 1
        if progression is not None:
            progression(i, len(todo))
    if corriges:
        counts["corrections"] = _corrections_ecrire(groupe_ids=corriges)
    return {**suggestions_apply_report(counts=counts, refresh=refresh, depuis=debut),
            **({"corrections": counts["corrections"]} if corriges else {})}
