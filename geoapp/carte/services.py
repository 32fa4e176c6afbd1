"""Writes of the map pages: saved map configurations, citizens' contributions."""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import transaction

from geoapp.acteurs.models import Source
from geoapp.suggestions.executions import execution_finish, execution_start
from geoapp.suggestions.lignes import empreinte
from geoapp.suggestions.models import (ChangementSuggestion, CohorteSuggestion, GroupeSuggestion, StatutSuggestion,
                                       TypeSuggestion)

from .models import CarteConfiguration, Contribution


def carte_configuration_demo_ensure() -> CarteConfiguration:
    """The demo's embeddable map (`/carte/demo/`): repairers around Paris. Idempotent."""
    config, _ = CarteConfiguration.objects.update_or_create(
        slug="demo",
        defaults={"titre": "Où faire réparer à Paris", "groupes_actions": ["reparer"],
                  "centre": Point(2.3522, 48.8566, srid=4326), "nombre_resultats": 50},
    )
    return config


# --- citizens' contributions (issue 12) ---------------------------------------------------------
# Each correction or proposed place becomes ONE suggestion group of the source `contribution`
# (`a_valider`, for staff to review in the back office) in a cohort of its own — kind
# `modification` for a correction, `ajout` for a place — under a run registry entry of flux
# `contribution`; the contributor's e-mail goes to `Contribution`, beside it, never into the group.

SOURCE_CONTRIBUTION = "contribution"
FLUX_CONTRIBUTION = "contribution"
# the acteur's field each motif corrects, and the proposed value's form field
MOTIF_CHAMPS = {"deplace": ("adresse", "adresse"), "horaires": ("horaires_description", "horaires"),
                "telephone": ("telephone", "telephone"), "ferme": ("statut", None)}


def _source_contribution() -> str:
    Source.objects.get_or_create(code=SOURCE_CONTRIBUTION, defaults={
        "libelle": "Contributions des citoyens (la carte)", "afficher": False})
    return SOURCE_CONTRIBUTION


def _contribution_ecrire(*, type: str, identifiant_unique: str, donnees: dict, changements: dict,
                         email: str, identifiant_empreinte: str | None = None):
    """One suggestion group in a cohort of its own, its changes and its `Contribution` (e-mail);
    nothing when the same proposal (kind, acteur, values) is already waiting or validated."""
    source = _source_contribution()
    fp = empreinte(type=f"{FLUX_CONTRIBUTION}:{type}",
                   identifiant_unique=identifiant_unique if identifiant_empreinte is None else identifiant_empreinte,
                   valeurs={"donnees": donnees, "changements": {k: v[1] for k, v in changements.items()}})
    run_id = f"{FLUX_CONTRIBUTION}-{uuid4().hex}"
    execution = execution_start(run_id=run_id, flux=FLUX_CONTRIBUTION, sources=[source])
    deja = GroupeSuggestion.objects.filter(
        source_id=source, empreinte=fp, statut__in=[StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE]).exists()
    groupe = None
    if not deja:
        cohorte = CohorteSuggestion.objects.create(execution=execution, type=type)
        groupe = GroupeSuggestion.objects.create(cohorte=cohorte, source_id=source,
                                                 identifiant_unique=identifiant_unique, donnees=donnees, empreinte=fp)
        ChangementSuggestion.objects.bulk_create(
            ChangementSuggestion(groupe=groupe, champ=champ, ancienne_valeur=old, nouvelle_valeur=new)
            for champ, (old, new) in changements.items())
        Contribution.objects.create(groupe=groupe, email=email)
    execution_finish(run_id=run_id, reussie=True,
                     compteurs={"proposees": 0 if deja else 1, "deja_proposees": 1 if deja else 0})
    return groupe


@transaction.atomic
def contribution_signalement_creer(*, acteur, motif: str, valeurs: dict, message: str, email: str):
    """A citizen's report on a displayed acteur (`motif` of `forms.MOTIFS`, the form's cleaned
    `valeurs`): a modification suggestion whose changes are the corrected field (old → new; a closed
    place: `statut` → INACTIF) and whose `donnees` keep the motif, the message and what the citizen
    saw. Returns the group (None: the same report is already waiting)."""
    changements = {}
    champ, cle = MOTIF_CHAMPS.get(motif, (None, None))
    if motif == "ferme":
        changements["statut"] = [acteur.statut, "INACTIF"]
    elif champ:
        changements[champ] = [getattr(acteur, champ) or "", valeurs[cle].strip()]
    donnees = {"flux": FLUX_CONTRIBUTION, "motif": motif, "message": message.strip(),
               "acteur": {"uuid": acteur.uuid, "nom": acteur.nom, "adresse": acteur.adresse,
                          "code_postal": acteur.code_postal, "ville": acteur.ville}}
    return _contribution_ecrire(type=TypeSuggestion.MODIFICATION, identifiant_unique=acteur.identifiant_unique,
                                donnees=donnees, changements=changements, email=email)


@transaction.atomic
def contribution_lieu_proposer(*, valeurs: dict, email: str):
    """A place a citizen proposes: an `ajout` suggestion whose `donnees` are the new acteur's row
    (name, address, action groups, contact, the map's centre as a rough location, the message),
    identifiant `contribution_<uuid>`. Returns the group (None: the same place is already waiting)."""
    donnees = {"flux": FLUX_CONTRIBUTION, "nom": valeurs["nom"].strip(), "adresse": valeurs["adresse"].strip(),
               "code_postal": valeurs["code_postal"], "ville": valeurs["ville"].strip(),
               "groupes_actions": sorted(valeurs["groupes_actions"]), "telephone": valeurs.get("telephone") or "",
               "url": valeurs.get("url") or "", "message": (valeurs.get("message") or "").strip()}
    if valeurs.get("lon") is not None and valeurs.get("lat") is not None:
        donnees["centre_carte"] = [round(valeurs["lon"], 6), round(valeurs["lat"], 6)]
    # a new identifiant each time; the fingerprint is the place's values (the same place proposed
    # twice while waiting is written once)
    return _contribution_ecrire(type=TypeSuggestion.AJOUT, identifiant_unique=f"{SOURCE_CONTRIBUTION}_{uuid4().hex}",
                                identifiant_empreinte="", donnees=donnees, changements={}, email=email)


def contribution_quota_consommer(*, client: str) -> bool:
    """Count one form sent by `client` (its IP) in the current window of
    CARTE_CONTRIBUTIONS_FENETRE_S seconds (Django's default cache, shared by the web processes
    when it is a shared cache); False once CARTE_CONTRIBUTIONS_MAX were sent: refuse it."""
    fenetre = settings.CARTE_CONTRIBUTIONS_FENETRE_S
    cle = f"carte:contributions:{client}"
    cache.add(cle, 0, timeout=fenetre)
    try:
        n = cache.incr(cle)
    except ValueError:  # expired between add and incr
        cache.set(cle, 1, timeout=fenetre)
        n = 1
    return n <= settings.CARTE_CONTRIBUTIONS_MAX
