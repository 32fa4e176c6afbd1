"""Reads for the map pages: referentials to build the filters, the objects index, saved map
configurations."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from geoapp.acteurs import models as acteurs

from .models import CarteConfiguration


def carte_filtres_get() -> dict:
    """What the filters offer: shown action groups with their actions and colours, labels."""
    groupes = list(acteurs.GroupeAction.objects.filter(afficher=True).order_by("order", "code")
                   .values("code", "libelle", "couleur", "couleur_claire"))
    actions = list(acteurs.Action.objects.filter(afficher=True).order_by("order", "code")
                   .values("code", "libelle", "groupe_action_id"))
    for g in groupes:
        g["actions"] = [a for a in actions if a["groupe_action_id"] == g["code"]]
        if not g["libelle"]:  # the referential leaves groups unnamed: their actions' "Je …" say it
            names = list(dict.fromkeys(a["libelle_groupe"] for a in acteurs.Action.objects.filter(
                groupe_action_id=g["code"]).order_by("order", "code").values("libelle_groupe") if a["libelle_groupe"]))
            g["libelle"] = " / ".join(names) or g["code"]
    labels = list(acteurs.LabelQualite.objects.filter(afficher=True).order_by("order", "code")
                  .values("code", "libelle", "bonus"))
    return {"groupes": groupes, "labels": labels}


def carte_libelles_get() -> dict[str, dict[str, str]]:
    """Code → libellé for what a detail panel shows."""
    return {
        name: dict(model.objects.values_list("code", "libelle"))
        for name, model in (("actions", acteurs.Action), ("sous_categories", acteurs.SousCategorieObjet),
                            ("labels", acteurs.LabelQualite), ("sources", acteurs.Source),
                            ("acteur_types", acteurs.ActeurType), ("groupes", acteurs.GroupeAction))
    }


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=1)
def objet_index_list() -> tuple[dict, ...]:
    """Every product name and synonym of `data/reference/produits-index.json`, with its
    sous-catégories and an accent-free lower-case key for matching as the user types."""
    rows = json.loads((Path(settings.DATA_DIR) / "reference" / "produits-index.json").read_text())
    seen: dict[str, dict] = {}
    for row in rows:
        for nom in [row["nom"], *(row.get("synonymes") or [])]:
            entry = seen.setdefault(nom, {"nom": nom, "cle": _plain(nom), "sous_categories": []})
            for code in row.get("sous_categories") or []:
                if code not in entry["sous_categories"]:
                    entry["sous_categories"].append(code)
    return tuple(sorted((e for e in seen.values() if e["sous_categories"]), key=lambda e: e["cle"]))


def carte_configuration_get(*, slug: str) -> CarteConfiguration | None:
    return CarteConfiguration.objects.filter(slug=slug).first()


def acteur_affiche_get(*, uuid: str) -> acteurs.DisplayedActeur | None:
    """The displayed acteur a citizen reports on (None: not displayed any more)."""
    return acteurs.DisplayedActeur.objects.filter(uuid=uuid).first()
