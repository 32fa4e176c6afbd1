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
from django.contrib.postgres.fields import ArrayField
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from . import models, selectors, services
from .displayed import FIELDS
from .identifiants import acteur_uuid

log = logging.getLogger(__name__)

# The fields shown with the imported value beside them (*Copier*, *Réinitialiser*); the maps
# (location, service area) show the imported geometry on their own map.
COMPARES = [f.column.removesuffix("_id") for f in FIELDS if f.name not in ("location", "perimetre_zone")]


def _vide(field) -> object:
    """The empty value of a model field (what a field forced empty is saved as)."""
    return [] if isinstance(field, ArrayField) else None if field.null else ""


class GrillePropositions(forms.Widget):
    """The propositions de service as a grid: one column per action, one row per sous-catégorie
    (by catégorie), a box per pair; the imported acteur's pairs marked. Sent as `action|sous-catégorie`."""

    template_name = "admin/acteurs/grille_propositions.html"
    importees: set = frozenset()
    grille: dict | None = None  # `selectors.propositions_grille_get()`, given by the form (its choices too)

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return False  # no box checked is a value (none)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        coches = set(value or [])
        grille = self.grille or selectors.propositions_grille_get()
        for categorie in grille["categories"]:
            for sous_categorie in categorie["sous_categories"]:
                sous_categorie["cellules"] = [{
                    "valeur": f"{a['code']}|{sous_categorie['code']}", "action": a,
                    "coche": f"{a['code']}|{sous_categorie['code']}" in coches,
                    "importee": (a["code"], sous_categorie["code"]) in self.importees,
                } for a in grille["actions"]]
        context["grille"] = grille
        return context


def _paires(valeurs) -> set[tuple[str, str]]:
    return {tuple(v.split("|", 1)) for v in valeurs or [] if "|" in v}


def _resume(avant: set, apres: set) -> str:
    """Pure: a change of propositions in one line, for the history."""
    parts = [f"+ {a} / {s}" for a, s in sorted(apres - avant)] + [f"− {a} / {s}" for a, s in sorted(avant - apres)]
    return "Propositions de service : " + " ; ".join(parts) if parts else ""


class RevisionActeurForm(forms.ModelForm):
    propositions = forms.MultipleChoiceField(
        label="Propositions de service", required=False, widget=GrillePropositions,
        help_text="Cochez ce que l'acteur propose pour chaque sous-catégorie. Les cases marquées ● sont celles "
                  "de l'acteur importé ; tout décocher reprend celles-ci.")

    champs_vides = forms.MultipleChoiceField(
        label="Champs forcés vides", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(name, capfirst(models.RevisionActeur._meta.get_field(name).verbose_name))
                 for name in models.CHAMPS_VIDABLES],
        help_text="Affichés vides même si la source ou un enfant leur donne une valeur (laisser un champ vide "
                  "reprend la valeur importée).")

    class Meta:
        model = models.RevisionActeur
        fields = "__all__"

    def propositions_a_ecrire(self) -> set | None:
        """The revision's new propositions (empty: the imported ones apply), None when unchanged."""
        if "propositions" not in self.fields or "propositions" not in self.cleaned_data:
            return None
        choisies = _paires(self.cleaned_data["propositions"])
        a_ecrire = set() if choisies == self._importees else choisies
        return None if a_ecrire == self._revision else a_ecrire

    def propositions_resume(self) -> str:
        a_ecrire = self.propositions_a_ecrire()
        if a_ecrire is None:
            return ""
        return _resume(self._revision or self._importees, a_ecrire or self._importees)

    def clean(self):
        """A field forced empty must be left empty here: a value typed in it is not silently dropped."""
        cleaned = super().clean()
        for name in cleaned.get("champs_vides") or []:
            if name in cleaned and cleaned[name] not in (None, "", []):
                self.add_error(name, "Ce champ est forcé vide : effacez sa valeur ou décochez « forcer vide ».")
            elif name in self.fields:
                cleaned[name] = _vide(models.RevisionActeur._meta.get_field(name))
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "identifiant_unique" in self.fields:
            field = self.fields["identifiant_unique"]
            field.required = False
            field.help_text = ("Celui de l'acteur importé qu'elle corrige ; vide pour un acteur créé ici "
                               "(un identifiant est attribué).")
        if "uuid" in self.fields:
            self.fields["uuid"].help_text = "Vide : celui de l'acteur importé, ou attribué."
        identifiant = self.instance.pk or self.initial.get("identifiant_unique") or ""
        self._importees = selectors.propositions_paires_get(identifiant=identifiant, revision=False) if identifiant else set()
        self._revision = (selectors.propositions_paires_get(identifiant=self.instance.pk, revision=True)
                          if self.instance.pk and not self.instance._state.adding else set())
        if "propositions" in self.fields:
            field = self.fields["propositions"]
            grille = selectors.propositions_grille_get()
            field.choices = [(f"{a['code']}|{sc['code']}", f"{a['libelle']} — {sc['libelle']}")
                             for c in grille["categories"] for sc in c["sous_categories"] for a in grille["actions"]]
            field.widget.importees, field.widget.grille = self._importees, grille
            field.initial = sorted(f"{a}|{sc}" for a, sc in (self._revision or self._importees))


def revision_propositions_enregistrer(*, form: RevisionActeurForm) -> None:
    """After the revision's save: its propositions as the grid gives them (when they changed)."""
    paires = form.propositions_a_ecrire()
    if paires is not None:
        services.revision_propositions_remplacer(revision=form.instance, paires=paires)


def propositions_lecture(*, revision: models.RevisionActeur | None) -> str:
    """A revision's propositions (else the imported acteur's), read-only: one line per action."""
    if revision is None or not revision.pk:
        return "—"
    paires = (selectors.propositions_paires_get(identifiant=revision.pk, revision=True)
              or selectors.propositions_paires_get(identifiant=revision.pk, revision=False))
    par_action = selectors.paires_par_action(paires)
    if not par_action:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{} : {}</li>", (
        (action, ", ".join(sc)) for action, sc in par_action.items())))


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


def selection_carte_contexte(*, acteurs) -> dict:
    """The displayed acteurs' list page: its acteurs on a map (identifiant, name, position; written
    as text by `selection_carte.js`), where a click selects one as its box in the list does."""
    from django.conf import settings

    points = [{"identifiant": a.pk, "nom": a.nom or a.pk, "lon": a.location.x, "lat": a.location.y}
              for a in acteurs if a.location is not None]
    return {"selection_points": points, "tuiles_url": settings.MAP_TILES_URL}


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
    changes = []
    for field in models.RevisionActeur._meta.concrete_fields:
        if field.name in ("identifiant_unique", "cree_le", "modifie_le"):
            continue
        value = getattr(record, field.attname, None)
        if value in (None, "", []):
            continue
        changes.append({"field": capfirst(field.verbose_name), "old": "—", "new": value})
    return changes
