"""The one shape an acteur has on both sides of a diff: a JSON-able dict (a *ligne*).

Scalar fields keep the names of `Acteur`; `source` and `acteur_type` are codes; `location` is
`[lon, lat]` rounded to 6 decimals (10 cm); `labels`, `acteur_services` are sorted codes;
`propositions` is a sorted list of `{"action", "sous_categories": [sorted codes]}`;
`perimetre_rayon_km` a float or None, `perimetre_departements` sorted codes (an acteur working at
home: how far it goes)."""

from __future__ import annotations

import hashlib
import json

CHAMPS_TEXTE = (
    "identifiant_externe", "nom", "nom_commercial", "nom_officiel", "description", "siren", "siret",
    "naf_principal", "adresse", "adresse_complement", "code_postal", "ville", "url", "email", "telephone",
    "horaires_osm", "horaires_description", "public_accueilli", "reprise", "lieu_prestation", "statut",
)
CHAMPS_BOOLEENS = ("exclusivite_de_reprisereparation", "uniquement_sur_rdv")
CHAMPS_CODES = ("source", "acteur_type")
CHAMPS_LISTES = ("labels", "acteur_services")
CHAMPS_PERIMETRE = ("perimetre_rayon_km", "perimetre_departements")
CHAMPS = (*CHAMPS_CODES, *CHAMPS_TEXTE, *CHAMPS_BOOLEENS, "location", *CHAMPS_LISTES, "propositions",
          *CHAMPS_PERIMETRE)


def ligne_canonique(ligne: dict) -> dict:
    """Pure: fill missing fields with their empty value and sort what is unordered."""
    out: dict = {"identifiant_unique": ligne["identifiant_unique"]}
    for champ in CHAMPS_TEXTE:
        out[champ] = ligne.get(champ) or ""
    for champ in CHAMPS_CODES:
        out[champ] = ligne.get(champ) or None
    for champ in CHAMPS_BOOLEENS:
        out[champ] = ligne.get(champ)
    location = ligne.get("location")
    out["location"] = [round(float(location[0]), 6), round(float(location[1]), 6)] if location else None
    for champ in CHAMPS_LISTES:
        out[champ] = sorted(set(ligne.get(champ) or []))
    rayon = ligne.get("perimetre_rayon_km")
    out["perimetre_rayon_km"] = float(rayon) if rayon not in (None, "") else None
    out["perimetre_departements"] = sorted(set(ligne.get("perimetre_departements") or []))
    merged: dict[str, set] = {}
    for p in ligne.get("propositions") or []:
        merged.setdefault(p["action"], set()).update(p.get("sous_categories") or [])
    out["propositions"] = [{"action": a, "sous_categories": sorted(s)} for a, s in sorted(merged.items())]
    return out


def lignes_changements(*, actuelle: dict, nouvelle: dict) -> dict[str, tuple]:
    """Pure: field → (old, new) for every field that differs between two canonical lignes."""
    return {c: (actuelle.get(c), nouvelle.get(c)) for c in CHAMPS if actuelle.get(c) != nouvelle.get(c)}


def empreinte(*, type: str, identifiant_unique: str, valeurs: dict) -> str:
    """Pure: a stable fingerprint of a proposal (kind, acteur, proposed values)."""
    payload = json.dumps([type, identifiant_unique, valeurs], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
