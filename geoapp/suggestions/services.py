"""Writes: the run registry, suggestion cohorts, and applying validated suggestions.

Applying: one transaction per group (an acteur). A group that fails is marked `erreur` with its
message and the others go on; then the displayed acteurs are refreshed once."""

from __future__ import annotations

import logging
from collections import Counter

import psycopg
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from geoapp.acteurs.identifiants import acteur_uuid
from geoapp.acteurs.models import Acteur, ActeurStatut, PropositionService

from .lignes import CHAMPS_BOOLEENS, CHAMPS_TEXTE, empreinte
from .models import (
    ChangementSuggestion,
    CohorteSuggestion,
    ExecutionSource,
    GroupeSuggestion,
    PolitiqueApplication,
    PolitiqueSource,
    StatutExecution,
    StatutSuggestion,
    TypeSuggestion,
)
from .selectors import empreintes_en_attente

log = logging.getLogger(__name__)


# --- Run registry -------------------------------------------------------------------------------


def execution_start(*, run_id: str, flux: str, sources: list[str]) -> ExecutionSource:
    execution, _ = ExecutionSource.objects.update_or_create(
        run_id=run_id, defaults={"flux": flux, "sources": sorted(sources), "statut": StatutExecution.EN_COURS},
    )
    return execution


def execution_finish(*, run_id: str, reussie: bool, compteurs: dict | None = None, message: str = "") -> None:
    ExecutionSource.objects.filter(run_id=run_id).update(
        statut=StatutExecution.REUSSIE if reussie else StatutExecution.ECHOUEE,
        compteurs=compteurs or {}, message=message[:10000], fin=timezone.now(),
    )


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
def suggestions_write(*, run_id: str, propositions: list[dict]) -> dict[str, int]:
    """Write the proposals of a run as cohorts (one per kind) → groups → changes, in one
    transaction. Each proposal: `{type, identifiant_unique, source, donnees, changements: {champ:
    [old, new]}}`. A proposal already waiting (same fingerprint) is not written again; a source
    whose policy is `auto` gets its groups already `validée`. Returns counts per kind written and
    `deja_proposees`."""
    execution = ExecutionSource.objects.get(run_id=run_id)
    sources = sorted({p["source"] for p in propositions})
    deja = empreintes_en_attente(source_codes=sources)
    auto = {s for s in sources if politique_get(source_code=s) == PolitiqueApplication.AUTO}
    counts: Counter = Counter()
    cohortes: dict[str, CohorteSuggestion] = {}
    groupes: list[GroupeSuggestion] = []
    changements: list[list[tuple]] = []
    for p in propositions:
        fp = empreinte(type=p["type"], identifiant_unique=p["identifiant_unique"],
                       valeurs={k: v[1] for k, v in p["changements"].items()})
        if fp in deja:
            counts["deja_proposees"] += 1
            continue
        deja.add(fp)
        if p["type"] not in cohortes:
            cohortes[p["type"]], _ = CohorteSuggestion.objects.get_or_create(execution=execution, type=p["type"])
        groupes.append(GroupeSuggestion(
            cohorte=cohortes[p["type"]], source_id=p["source"], identifiant_unique=p["identifiant_unique"],
            donnees=p.get("donnees") or {}, empreinte=fp,
            statut=StatutSuggestion.VALIDEE if p["source"] in auto else StatutSuggestion.A_VALIDER,
        ))
        # an ajout's values are its `donnees`; field-level change rows are for modifications/suppressions
        changements.append([] if p["type"] == TypeSuggestion.AJOUT else list(p["changements"].items()))
        counts[p["type"]] += 1
    # groups without change rows (ajouts) go in with COPY; the others need their ids back
    _groupes_copy([g for g, changes in zip(groupes, changements) if not changes])
    with_changes = [(g, changes) for g, changes in zip(groupes, changements) if changes]
    created = GroupeSuggestion.objects.bulk_create([g for g, _ in with_changes], batch_size=2000)
    ChangementSuggestion.objects.bulk_create(
        (ChangementSuggestion(groupe=g, champ=champ, ancienne_valeur=old, nouvelle_valeur=new)
         for g, (_, changes) in zip(created, with_changes) for champ, (old, new) in changes),
        batch_size=5000,
    )
    return dict(counts)


def _groupes_copy(groupes: list[GroupeSuggestion]) -> None:
    """Insert groups with COPY (bulk_create spends its time building statements)."""
    if not groupes:
        return
    from django.db import connection
    from psycopg.types.json import Jsonb

    now = timezone.now()
    columns = ["cohorte_id", "source_id", "identifiant_unique", "statut", "donnees", "empreinte", "message",
               "modifie_le"]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {GroupeSuggestion._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for g in groupes:
                copy.write_row([g.cohorte_id, g.source_id, g.identifiant_unique, g.statut, Jsonb(g.donnees),
                                g.empreinte, g.message, now])


def suggestion_groupes_set_statut(*, groupe_ids: list[int], statut: str) -> int:
    """Staff validate or reject groups (only groups still waiting or validated change)."""
    if statut not in (StatutSuggestion.VALIDEE, StatutSuggestion.REJETEE, StatutSuggestion.A_VALIDER):
        raise ValueError(f"statut non modifiable à la main : {statut}")
    return GroupeSuggestion.objects.filter(
        pk__in=groupe_ids, statut__in=[StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.ERREUR]
    ).update(statut=statut)


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


def suggestion_groupe_apply(*, groupe: GroupeSuggestion) -> None:
    """Apply one group in its own transaction; raises on failure (nothing of it is written)."""
    with transaction.atomic():
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
        GroupeSuggestion.objects.filter(pk=groupe.pk).update(
            statut=StatutSuggestion.APPLIQUEE, message="", modifie_le=timezone.now())


def _acteurs_copy(ajouts: list[GroupeSuggestion]) -> None:
    """Insert the acteurs of new-acteur groups with COPY (Django's bulk_create spends its time
    building the statement for 35 columns)."""
    from django.db import connection

    fields = [f for f in Acteur._meta.concrete_fields]
    now = timezone.now()
    text_types = ("CharField", "TextField", "URLField", "EmailField")

    def value(f, g: GroupeSuggestion):
        d = g.donnees
        name = f.name
        if name == "identifiant_unique":
            return g.identifiant_unique
        if name == "uuid":
            return acteur_uuid(identifiant_unique=g.identifiant_unique)
        if name == "source":
            return g.source_id
        if name == "acteur_type":
            return d.get("acteur_type")
        if name == "location":
            loc = d.get("location")
            return f"SRID=4326;POINT({loc[0]} {loc[1]})" if loc else None
        if name in ("cree_le", "modifie_le"):
            return now
        if name == "statut":
            return d.get("statut") or ActeurStatut.ACTIF
        if name == "perimetre_departements":
            return d.get(name) or []
        if f.get_internal_type() in text_types:
            return d.get(name) or ""
        return d.get(name)

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {Acteur._meta.db_table} ({columns}) FROM STDIN") as copy:
            for g in ajouts:
                copy.write_row([value(f, g) for f in fields])


def _bulk_apply(groupes: list[GroupeSuggestion]) -> bool:
    """Apply a chunk of new-acteur and deletion groups set-wise, in one transaction with immediate
    constraints. Returns False (nothing written) when any of them fails: the caller then applies
    them one by one, so that only the failing group is marked `erreur`."""
    from django.db import DatabaseError, connection

    ajouts = [g for g in groupes if g.cohorte.type == TypeSuggestion.AJOUT]
    suppressions = [g.identifiant_unique for g in groupes if g.cohorte.type == TypeSuggestion.SUPPRESSION]
    try:
        with transaction.atomic():
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
            if Acteur.objects.filter(pk__in=[g.identifiant_unique for g in ajouts]).exists():
                raise ValueError("acteur déjà présent")
            _acteurs_copy(ajouts)
            labels, services = Acteur.labels.through, Acteur.acteur_services.through
            labels.objects.bulk_create([labels(acteur_id=g.identifiant_unique, labelqualite_id=c)
                                        for g in ajouts for c in g.donnees.get("labels") or []], batch_size=5000)
            services.objects.bulk_create([services(acteur_id=g.identifiant_unique, acteurservice_id=c)
                                          for g in ajouts for c in g.donnees.get("acteur_services") or []],
                                         batch_size=5000)
            pairs = [(g, p) for g in ajouts for p in g.donnees.get("propositions") or []]
            created = PropositionService.objects.bulk_create(
                [PropositionService(acteur_id=g.identifiant_unique, action_id=p["action"]) for g, p in pairs],
                batch_size=2000)
            through = PropositionService.sous_categories.through
            through.objects.bulk_create([through(propositionservice_id=obj.pk, souscategorieobjet_id=sc)
                                         for obj, (_, p) in zip(created, pairs) for sc in p["sous_categories"]],
                                        batch_size=5000)
            if suppressions:
                if Acteur.objects.filter(pk__in=suppressions).count() != len(set(suppressions)):
                    raise ValueError("acteur introuvable")
                Acteur.objects.filter(pk__in=suppressions).update(statut=ActeurStatut.SUPPRIME, modifie_le=timezone.now())
            GroupeSuggestion.objects.filter(pk__in=[g.pk for g in groupes]).update(
                statut=StatutSuggestion.APPLIQUEE, message="", modifie_le=timezone.now())
        return True
    except (DatabaseError, psycopg.Error, ValueError, TypeError, KeyError):
        return False


def suggestions_apply(*, source_codes: list[str] | None = None, refresh: bool = True,
                      chunk: int = 2000) -> dict[str, int]:
    """Apply every validated group (of these sources). Each group is all-or-nothing and a failing
    group is marked `erreur` with its message while the others go on: new acteurs and deletions
    are first tried set-wise by chunk (one transaction), and a chunk that fails is replayed group
    by group, each in its own transaction. Then, if anything was applied, the displayed acteurs
    are refreshed."""
    from geoapp.acteurs.services import displayed_acteur_refresh

    groupes = GroupeSuggestion.objects.filter(statut=StatutSuggestion.VALIDEE).select_related("cohorte")
    if source_codes is not None:
        groupes = groupes.filter(source_id__in=source_codes)
    counts: Counter = Counter()
    # in run order, ajouts then modifications then suppressions: an acteur created and deleted in
    # two runs ends deleted
    order = {TypeSuggestion.AJOUT: 0, TypeSuggestion.MODIFICATION: 1, TypeSuggestion.SUPPRESSION: 2}
    todo = sorted(groupes.iterator(chunk_size=2000), key=lambda g: (g.cohorte.execution_id, order[g.cohorte.type], g.pk))
    one_by_one: list[GroupeSuggestion] = []
    i = 0
    while i < len(todo):
        g = todo[i]
        if g.cohorte.type == TypeSuggestion.MODIFICATION:
            one_by_one.append(g)
            i += 1
            continue
        batch = []
        while i < len(todo) and todo[i].cohorte.type == g.cohorte.type and \
                todo[i].cohorte.execution_id == g.cohorte.execution_id and len(batch) < chunk:
            batch.append(todo[i])
            i += 1
        if _bulk_apply(batch):
            counts["appliquees"] += len(batch)
        else:
            one_by_one += batch
    for groupe in sorted(one_by_one, key=lambda g: (g.cohorte.execution_id, order[g.cohorte.type], g.pk)):
        try:
            suggestion_groupe_apply(groupe=groupe)
            counts["appliquees"] += 1
        except Exception as exc:  # one group's failure never stops the others
            message = f"{type(exc).__name__}: {exc}"
            GroupeSuggestion.objects.filter(pk=groupe.pk).update(
                statut=StatutSuggestion.ERREUR, message=message[:5000], modifie_le=timezone.now())
            log.warning("suggestion %s (%s) en erreur : %s", groupe.pk, groupe.identifiant_unique, message)
            counts["erreurs"] += 1
    if refresh and counts["appliquees"]:
        counts.update({f"affiches_{k}": v for k, v in displayed_acteur_refresh().items()})
    return {"appliquees": counts["appliquees"], "erreurs": counts["erreurs"],
            **{k: v for k, v in counts.items() if k.startswith("affiches_")}}
