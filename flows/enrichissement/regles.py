"""Pure rules of the enrichment flows, on plain values read from the clones (SIRENE, La Poste,
INSEE, contours). Each returns a decision with its reason; the flows turn decisions into
suggestions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from geoapp.geocodage.normalisation import normaliser

# --- closed establishments --------------------------------------------------------------------------


@dataclass(frozen=True)
class Etablissement:
    siret: str
    etat: str  # "A" actif, "F" fermé (etatAdministratifEtablissement)
    code_postal: str = ""
    siege: bool = False


@dataclass(frozen=True)
class DecisionFermeture:
    action: str  # "rien" | "successeur" | "autre_siret" | "inactif" | "inconnu"
    siret: str | None = None
    raison: str = ""


def etablissement_ferme_resoudre(*, siret: str, etablissements: dict[str, Etablissement],
                                 successions: list[tuple[str, str, str]]) -> DecisionFermeture:
    """A closed SIRET → its most recent open successor (LienSuccession: predecessor, successor,
    date), else another open SIRET of the same SIREN (same postal code first, then the head
    office), else the acteur is proposed inactive."""
    current = etablissements.get(siret)
    if current is None:
        return DecisionFermeture("inconnu", raison=f"SIRET {siret} absent de SIRENE")
    if current.etat == "A":
        return DecisionFermeture("rien", siret=siret, raison="établissement actif")
    for _, successor, date in sorted((s for s in successions if s[0] == siret), key=lambda s: s[2], reverse=True):
        found = etablissements.get(successor)
        if found is not None and found.etat == "A":
            return DecisionFermeture("successeur", siret=successor, raison=f"successeur au {date}")
    siren = siret[:9]
    others = [e for s, e in etablissements.items() if s[:9] == siren and s != siret and e.etat == "A"]
    if others:
        best = min(others, key=lambda e: (e.code_postal != current.code_postal, not e.siege, e.siret))
        reason = "même SIREN, même code postal" if best.code_postal == current.code_postal else "même SIREN"
        return DecisionFermeture("autre_siret", siret=best.siret, raison=reason)
    return DecisionFermeture("inactif", raison="établissement fermé sans successeur ni autre établissement ouvert")


# --- postal codes and city names --------------------------------------------------------------------

_CEDEX = re.compile(r"\s*cedex.*$", re.IGNORECASE)


def code_postal_normaliser(valeur: str | int | None) -> str | None:
    """"75 011" → "75011", "1400" (a lost leading zero) → "01400", "75011 CEDEX 11" → "75011";
    anything else → None."""
    if valeur is None:
        return None
    text = _CEDEX.sub("", str(valeur)).replace(" ", "").replace("\u00a0", "").strip()
    if text.endswith(".0"):  # read from a spreadsheet as a number
        text = text[:-2]
    if re.fullmatch(r"[0-9]{4}", text):
        text = "0" + text
    return text if re.fullmatch(r"[0-9]{5}", text) and text != "00000" else None


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class DecisionVille:
    code_insee: str | None
    nom: str | None
    raison: str


def ville_corriger(*, ville: str, code_postal: str | None, communes_par_cp: dict[str, list[tuple[str, str]]],
                   fusions: dict[str, tuple[str, str]] | None = None) -> DecisionVille:
    """The official commune for a city written by a source: the communes of its postal code
    (La Poste) compared after normalisation, then with a typo allowance (Levenshtein ratio ≥ 0.8);
    a former commune merged since (INSEE: normalised old name → new code and name) gives the new one."""
    wanted = normaliser(ville)
    candidates = communes_par_cp.get(code_postal or "", [])
    for code, nom in candidates:
        if normaliser(nom) == wanted:
            return DecisionVille(code, nom, "identique" if nom == ville else "orthographe normalisée")
    if fusions and wanted in fusions:
        code, nom = fusions[wanted]
        return DecisionVille(code, nom, "commune fusionnée")
    scored = sorted(((1 - levenshtein(normaliser(nom), wanted) / max(len(wanted), len(normaliser(nom)), 1), code, nom)
                     for code, nom in candidates), reverse=True)
    if scored and scored[0][0] >= 0.8:
        return DecisionVille(scored[0][1], scored[0][2], "faute de frappe corrigée")
    if len(candidates) == 1 and not wanted:
        return DecisionVille(candidates[0][0], candidates[0][1], "seule commune du code postal")
    return DecisionVille(None, None, "ville non reconnue pour ce code postal")


# --- commune, EPCI, département ----------------------------------------------------------------------

def departement_de_commune(code_insee: str) -> str:
    """"75111" → "75", "2A004" → "2A", "97411" → "974"."""
    return code_insee[:3] if code_insee.startswith("97") else code_insee[:2]


@dataclass(frozen=True)
class Territoire:
    commune: str | None
    epci: str | None
    departement: str | None
    methode: str  # "contour" | "code_postal" | "aucune"


def territoire_attribuer(*, commune_du_point: str | None, code_postal: str | None,
                         communes_par_cp: dict[str, list[tuple[str, str]]], epci_par_commune: dict[str, str],
                         parent_arrondissement: dict[str, str] | None = None) -> Territoire:
    """Commune by point-in-contour (`commune_du_point`, computed by the database); for a point
    outside every contour (coastline, stale contour), the postal code when it designates one
    commune. EPCI from the membership (an arrondissement counts as its parent commune)."""
    commune, methode = commune_du_point, "contour"
    if commune is None:
        candidates = {code for code, _ in communes_par_cp.get(code_postal or "", [])}
        commune, methode = (candidates.pop(), "code_postal") if len(candidates) == 1 else (None, "aucune")
    if commune is None:
        return Territoire(None, None, None, "aucune")
    parent = (parent_arrondissement or {}).get(commune, commune)
    return Territoire(commune, epci_par_commune.get(parent), departement_de_commune(commune), methode)


# --- RGPD ----------------------------------------------------------------------------------------------

# SIRENE catégorie juridique 1000: entrepreneur individuel — a natural person
CATEGORIES_PERSONNE_PHYSIQUE = {"1000"}


def acteur_anonymiser(*, nom: str, categorie_juridique: str | None, nom_personne: str | None,
                      prenoms: str | None, enseigne: str | None, libelle_activite: str) -> str | None:
    """The name to display instead of a natural person's, or None when nothing must change: only
    for an individual entrepreneur whose acteur name contains their own name. The sign (enseigne)
    if any, else the activity."""
    if categorie_juridique not in CATEGORIES_PERSONNE_PHYSIQUE or not nom_personne:
        return None
    words = set(normaliser(nom).split())
    person = set(normaliser(nom_personne).split()) | set(normaliser(prenoms or "").split())
    if not (set(normaliser(nom_personne).split()) & words):
        return None
    if enseigne and not (set(normaliser(enseigne).split()) & person):
        return enseigne
    return libelle_activite
