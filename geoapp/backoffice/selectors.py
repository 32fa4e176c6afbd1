"""Reads of the back office's review screens: what kind a cohort is, its counts per status, and a
group's fields side by side (imported, corrected, displayed, proposed)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from geoapp.acteurs.models import Acteur, DisplayedActeur, RevisionActeur
from geoapp.suggestions.lignes import CHAMPS
from geoapp.suggestions.models import (
    ApplicationSuggestions,
    CohorteSuggestion,
    GroupeSuggestion,
    StatutSuggestion,
    TypeSuggestion,
)
from geoapp.suggestions.selectors import acteur_lignes_par_sources
from geoapp.suggestions.services import CHAMPS_MODIFIABLES, suggestion_valeur_proposee

# what a cohort is, for staff: its kind, unless its source says more (declarative, first match)
NATURES = (
    ("enrichissement", "enrichissement", Q(execution__sources__contains=["enrichissement"])),
    ("contribution", "contribution citoyenne", Q(execution__sources__contains=["contribution"])),
    ("regroupement", "regroupement", Q(execution__flux__startswith="dedoublonnage")
     | Q(execution__flux__startswith="regroupement")),
)
NATURES_TYPES = tuple((t.value, t.label) for t in TypeSuggestion)
STATUTS_COMPTES = tuple((f"n_{s.value}", s) for s in StatutSuggestion)
MODIFIABLE = (StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.ERREUR)


def cohorte_nature(*, cohorte: CohorteSuggestion) -> str:
    sources, flux = cohorte.execution.sources or [], cohorte.execution.flux
    if "enrichissement" in sources:
        return "enrichissement"
    if "contribution" in sources:
        return "contribution citoyenne"
    if flux.startswith(("dedoublonnage", "regroupement")):
        return "regroupement"
    return cohorte.get_type_display()


def cohorte_filtrer_nature(*, cohortes: QuerySet, nature: str) -> QuerySet:
    for code, _, condition in NATURES:
        if code == nature:
            return cohortes.filter(condition)
    autres = Q()
    for _, _, condition in NATURES:
        autres |= condition
    return cohortes.filter(type=nature).exclude(autres)


def cohortes_avec_comptes(cohortes: QuerySet) -> QuerySet:
    """Each cohort with its number of groups per status (`n_a_valider`, `n_validee`…)."""
    return cohortes.select_related("execution").annotate(
        **{nom: Count("groupes", filter=Q(groupes__statut=s)) for nom, s in STATUTS_COMPTES},
        n_total=Count("groupes"))


def cohorte_champs(*, cohorte: CohorteSuggestion) -> list[str]:
    """The fields its groups change (to accept or reject them field by field)."""
    from geoapp.suggestions.models import ChangementSuggestion

    return sorted(set(ChangementSuggestion.objects.filter(groupe__cohorte=cohorte)
                      .values_list("champ", flat=True).distinct()))


def cohorte_applications(*, cohorte: CohorteSuggestion) -> QuerySet:
    """The applies asked since the cohort that concern its sources (their state and report)."""
    return ApplicationSuggestions.objects.filter(sources__overlap=cohorte.execution.sources or ["-"],
                                                 demandee_le__gte=cohorte.cree_le)


def groupe_voisin(*, groupe: GroupeSuggestion, suivant: bool = True) -> GroupeSuggestion | None:
    """The next (or previous) group of its cohort still waiting, in id order, wrapping around."""
    attente = GroupeSuggestion.objects.filter(cohorte_id=groupe.cohorte_id, statut=StatutSuggestion.A_VALIDER) \
        .exclude(pk=groupe.pk)
    if suivant:
        return attente.filter(pk__gt=groupe.pk).order_by("pk").first() or attente.order_by("pk").first()
    return attente.filter(pk__lt=groupe.pk).order_by("-pk").first() or attente.order_by("-pk").first()


def _revision_valeur(revision: RevisionActeur | None, champ: str):
    if revision is None:
        return None
    if champ == "location":
        return [round(revision.location.x, 6), round(revision.location.y, 6)] if revision.location else None
    if champ in ("acteur_type", "source"):
        return getattr(revision, f"{champ}_id", None)
    if champ in ("labels", "acteur_services", "propositions", "identifiant_externe"):
        return None  # shown on the acteur's page
    value = getattr(revision, champ, None)
    return None if value in ("", []) else value


def _affichee_valeur(affiche: DisplayedActeur | None, champ: str):
    if affiche is None:
        return None
    if champ == "location":
        return [round(affiche.location.x, 6), round(affiche.location.y, 6)] if affiche.location else None
    if champ == "source":
        return ", ".join(affiche.sources)
    if champ == "identifiant_externe":
        return None
    return getattr(affiche, champ, None)


def groupe_revue(*, groupe: GroupeSuggestion) -> dict:
    """A group's rows, one per field it proposes: the imported value, staff's current correction,
    the displayed value, the proposed value (staff's edit of it, and what the source said), whether
    it changes what is displayed; and the acteur's old and new positions."""
    ident = groupe.identifiant_unique
    acteur = Acteur.objects.filter(pk=ident).only("source_id").first()
    importee = (acteur_lignes_par_sources(source_codes=[acteur.source_id], identifiants=[ident]).get(ident, {})
                if acteur is not None and acteur.source_id else {})
    revision = RevisionActeur.objects.filter(pk=ident).first()
    affiche = DisplayedActeur.objects.filter(pk=ident).first()
    type_ = groupe.cohorte.type
    if type_ == TypeSuggestion.AJOUT:
        champs = [c for c in CHAMPS if groupe.donnees.get(c) not in (None, "", [])]
    elif type_ == TypeSuggestion.SUPPRESSION:
        champs = ["statut"]
    else:
        champs = sorted((c.champ for c in groupe.changements.all()),
                        key=lambda c: CHAMPS.index(c) if c in CHAMPS else len(CHAMPS))
    corrections = (groupe.donnees or {}).get("corrections") or {}
    lignes = []
    for champ in champs:
        if type_ == TypeSuggestion.SUPPRESSION:
            proposee, de_la_source = "SUPPRIME", "SUPPRIME"
        else:
            proposee = suggestion_valeur_proposee(groupe=groupe, champ=champ)
            de_la_source = (groupe.donnees.get(champ) if type_ == TypeSuggestion.AJOUT
                            else next((c.nouvelle_valeur for c in groupe.changements.all() if c.champ == champ), None))
        affichee = _affichee_valeur(affiche, champ)
        lignes.append({
            "champ": champ, "importee": importee.get(champ), "correction": _revision_valeur(revision, champ),
            "affichee": affichee, "proposee": proposee, "de_la_source": de_la_source,
            "corrigee": champ in corrections, "change": (proposee or None) != (affichee or None),
            "modifiable": groupe.statut in MODIFIABLE and type_ != TypeSuggestion.SUPPRESSION
            and champ in CHAMPS_MODIFIABLES,
        })
    avant = _affichee_valeur(affiche, "location") or importee.get("location")
    apres = next((ligne["proposee"] for ligne in lignes if ligne["champ"] == "location"), None)
    siret = next((ligne["proposee"] for ligne in lignes if ligne["champ"] == "siret" and ligne["proposee"]), None) \
        or (affiche.siret if affiche else None) or importee.get("siret")
    return {"lignes": lignes, "positions": {"avant": avant, "apres": apres}, "siret": siret or "",
            "siren": (siret or "")[:9], "affiche": affiche, "acteur": acteur, "revision": revision}
