"""Pure: what staff type for a proposed value, read back as the value of a ligne
(`geoapp/suggestions/lignes.py`): text, a boolean, `lon, lat`, a radius, codes."""

from __future__ import annotations

import math

from geoapp.suggestions.lignes import CHAMPS_BOOLEENS

VRAI, FAUX = ("oui", "true", "vrai", "1"), ("non", "false", "faux", "0")


def valeur_afficher(*, champ: str, valeur) -> str:
    """Pure: a ligne's value as staff read and type it."""
    if valeur is None:
        return ""
    if champ in CHAMPS_BOOLEENS:
        return "oui" if valeur else "non"
    if champ == "location" and isinstance(valeur, (list, tuple)) and len(valeur) == 2:
        return f"{valeur[0]:.6f}, {valeur[1]:.6f}"
    if isinstance(valeur, list):
        return ", ".join(v if isinstance(v, str) else _propositions(v) for v in valeur)
    if isinstance(valeur, float):
        return f"{valeur:g}"
    return str(valeur)


def _propositions(p) -> str:
    if isinstance(p, dict) and "action" in p:
        return f"{p['action']} ({' '.join(p.get('sous_categories') or [])})"
    return str(p)


def valeur_saisie_lire(*, champ: str, texte: str):
    """Pure: the value of what was typed for `champ`; ValueError with a message staff can read."""
    if "\x00" in texte:
        raise ValueError("caractère nul refusé")
    texte = texte.strip()
    if champ in CHAMPS_BOOLEENS:
        if texte == "":
            return None
        if texte.lower() in VRAI:
            return True
        if texte.lower() in FAUX:
            return False
        raise ValueError("oui, non ou vide")
    if champ == "location":
        if texte == "":
            return None
        parts = texte.replace(";", ",").split(",")
        try:
            lon, lat = (float(p) for p in parts)
        except ValueError:
            raise ValueError("« longitude, latitude » attendu, par exemple 2.352200, 48.856600") from None
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("longitude entre -180 et 180, latitude entre -90 et 90")
        return [round(lon, 6), round(lat, 6)]
    if champ == "perimetre_rayon_km":
        if texte == "":
            return None
        try:
            rayon = float(texte.replace(",", "."))
        except ValueError:
            raise ValueError("un nombre de kilomètres") from None
        if not math.isfinite(rayon) or rayon < 0:
            raise ValueError("un nombre de kilomètres positif")
        return rayon
    if champ == "perimetre_departements":
        codes = sorted({c.strip().upper() for c in texte.split(",") if c.strip()})
        if any(len(c) > 3 for c in codes):
            raise ValueError("des codes de département (3 caractères au plus) séparés par des virgules")
        return codes
    if champ == "acteur_type":
        return texte or None
    return texte
