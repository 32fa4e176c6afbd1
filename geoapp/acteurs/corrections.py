"""The back office's correction screens of acteurs (`admin.py` registers them): the revision's form,
what its page shows beside each field (the imported value), the parent's children and which one
gave each displayed field, making a parent from a selection, and the refresh of the displayed
acteurs once a correction committed. Writes go through `services`."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import models, services
from .displayed import FIELDS
from .identifiants import acteur_uuid

log = logging.getLogger(__name__)

# The fields shown with the imported value beside them (*Copier*, *Réinitialiser*); the maps
# (location, service area) show the imported geometry on their own map.
COMPARES = [f.column.removesuffix("_id") for f in FIELDS if f.name not in ("location", "perimetre_zone")]


class RevisionActeurForm(forms.ModelForm):
    class Meta:
        model = models.RevisionActeur
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "identifiant_unique" in self.fields:
            field = self.fields["identifiant_unique"]
            field.required = False
            field.help_text = ("Celui de l'acteur importé qu'elle corrige ; vide pour un acteur créé ici "
                               "(un identifiant est attribué).")
        if "uuid" in self.fields:
            self.fields["uuid"].help_text = "Vide : celui de l'acteur importé, ou attribué."


def _valeur(acteur: models.Acteur, name: str) -> str:
    """An imported value as the form's widget holds it (for *Copier*)."""
    value = getattr(acteur, f"{name}_id" if name == "acteur_type" else name)
    if isinstance(value, bool) or (value is None and name in ("exclusivite_de_reprisereparation", "uniquement_sur_rdv")):
        return {True: "true", False: "false", None: "unknown"}[value]
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else str(value)


def revision_contexte(*, identifiant: str) -> dict:
    """What the revision's page gets beside its form: the imported acteur's values (rendered by
    `json_script`, written as text by the page's script) and its geometries."""
    from django.conf import settings

    acteur = models.Acteur.objects.filter(pk=identifiant).first() if identifiant else None
    if acteur is None:
        return {"acteur_importe": None, "tuiles_url": settings.MAP_TILES_URL}
    return {
        "tuiles_url": settings.MAP_TILES_URL,
        "acteur_importe": {
            "identifiant": acteur.pk,
            "source": acteur.source_id or "",
            "url": reverse("admin:acteurs_acteur_change", args=[quote(acteur.pk)]),
            "valeurs": {name: _valeur(acteur, name) for name in COMPARES},
            "location": [acteur.location.x, acteur.location.y] if acteur.location else None,
        }
    }


def revision_identifier(*, revision: models.RevisionActeur) -> None:
    """A revision made without identifiant is an acteur made by staff: it gets one, and a uuid."""
    if not revision.identifiant_unique:
        revision.identifiant_unique = services.revision_identifiant_new()
    if not revision.uuid and not models.Acteur.objects.filter(pk=revision.identifiant_unique).exists():
        revision.uuid = acteur_uuid(identifiant_unique=revision.identifiant_unique)


def corriger_lien(*, identifiant: str) -> str:
    """The link to the revision of `identifiant` (its add form, prefilled, when it has none)."""
    if models.RevisionActeur.objects.filter(pk=identifiant).exists():
        return format_html('<a href="{}">Corriger</a>', reverse("admin:acteurs_revisionacteur_change", args=[quote(identifiant)]))
    url = reverse("admin:acteurs_revisionacteur_add") + "?" + urlencode({"identifiant_unique": identifiant})
    return format_html('<a href="{}">Corriger</a>', url)


def _effective(child: models.RevisionActeur, acteur: models.Acteur | None, name: str):
    for obj in (child, acteur):
        if obj is None:
            continue
        value = getattr(obj, name)
        if value not in (None, "", []):
            return value
    return None


def _texte(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "wkt"):
        return value.wkt
    return ",".join(value) if isinstance(value, list) else str(value)


def enfants_et_provenance(*, revision: models.RevisionActeur) -> str:
    """A parent's children (links), a small map of them, and which one gave each displayed field."""
    if revision is None or not revision.pk:
        return "—"
    enfants = list(revision.enfants.order_by("identifiant_unique"))
    if not enfants:
        return "—"
    acteurs = models.Acteur.objects.in_bulk([e.pk for e in enfants])
    points = []
    for e in enfants:
        location = e.location or (acteurs[e.pk].location if e.pk in acteurs else None)
        nom = _effective(e, acteurs.get(e.pk), "nom") or e.pk
        if location:
            points.append({"identifiant": e.pk, "nom": nom, "lon": location.x, "lat": location.y})
    links = format_html_join(", ", '<a href="{}">{}</a>', (
        (reverse("admin:acteurs_revisionacteur_change", args=[quote(e.pk)]), e.pk) for e in enfants))
    displayed = models.DisplayedActeur.objects.filter(pk=revision.pk).first()
    rows = []
    if displayed is not None:
        for f in FIELDS:
            shown = getattr(displayed, f.name)
            if shown in (None, "", []):
                continue
            origin = displayed.provenance.get(f.name, "")
            if origin == f"revision:{revision.pk}":
                giver = "le parent"
            else:  # the most recently modified child whose value it is
                giver = next((e.pk for e in sorted(enfants, key=lambda e: e.modifie_le, reverse=True)
                              if _texte(_effective(e, acteurs.get(e.pk), f.column)) == _texte(shown)), origin)
            rows.append((f.name, giver))
    table = format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows)
    return format_html(
        '<p class="enfants">{}</p><div id="enfants-carte" class="enfants-carte" data-points="{}"></div>'
        '<table class="provenance"><thead><tr><th>champ affiché</th><th>donné par</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        links, json.dumps(points), table)


def rafraichir_apres_commit(request, identifiants: list[str]) -> None:
    """Once the correction committed, refresh the displayed acteurs it touches (and their parents
    and children): visible on the map and in the API in about a second. If the refresh fails the
    correction stays saved and the next refresh (the nightly full one at the latest) shows it."""

    def refresh():
        try:
            report = services.displayed_acteur_refresh_partial(identifiants=identifiants)
        except Exception:
            log.exception("rafraîchissement des acteurs affichés %s", identifiants)
            messages.warning(request, "Enregistré, mais la carte n'a pas pu être mise à jour : elle le sera au "
                                      "prochain calcul des acteurs affichés.")
            return
        log.info("acteurs affichés rafraîchis : %s", report)

    transaction.on_commit(refresh)


def parent_depuis_selection(model_admin, request, identifiants: list[str]):
    """The action *Faire un parent*: the selection becomes the children of a new parent, which is
    displayed once in their place; opens the parent's page."""
    try:
        with transaction.atomic():
            parent = services.revision_parent_create(identifiants=identifiants)
            rafraichir_apres_commit(request, [parent.pk, *identifiants])
    except ValueError as error:
        model_admin.message_user(request, str(error), level=messages.ERROR)
        return None
    model_admin.message_user(request, f"Parent créé pour {len(identifiants)} acteurs : {parent.pk}.")
    return HttpResponseRedirect(reverse("admin:acteurs_revisionacteur_change", args=[quote(parent.pk)]))


def revision_creation_valeurs(*, record) -> list[dict]:
    """The history's line of a revision's creation: each field it was created with, empty → value."""
    from django.utils.text import capfirst

    changes = []
    for field in models.RevisionActeur._meta.concrete_fields:
        if field.name in ("identifiant_unique", "cree_le", "modifie_le"):
            continue
        value = getattr(record, field.attname, None)
        if value in (None, "", []):
            continue
        changes.append({"field": capfirst(field.verbose_name), "old": "—", "new": value})
    return changes
