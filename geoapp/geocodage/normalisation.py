"""Address normalisation and parsing, pure. `normaliser` is the Python twin of the warehouse's
`reference.normaliser_adresse` (flows/warehouse/migrations/0003_geocodage.sql): lower case, no
accents, punctuation → spaces, abbreviations expanded, ordinals reduced to their number."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA

ABREVIATIONS = {
    "bd": "boulevard", "bld": "boulevard", "boul": "boulevard", "blvd": "boulevard",
    "av": "avenue", "ave": "avenue", "avn": "avenue",
    "r": "rue", "pl": "place", "fg": "faubourg", "fbg": "faubourg", "imp": "impasse",
    "sq": "square", "pass": "passage", "psg": "passage", "ch": "chemin", "chem": "chemin",
    "rte": "route", "all": "allee", "crs": "cours", "qu": "quai", "prom": "promenade",
    "vla": "villa", "sent": "sentier", "carr": "carrefour", "rpt": "rond point",
    "st": "saint", "ste": "sainte", "mal": "marechal", "gal": "general", "gen": "general",
    "pdt": "president", "dr": "docteur", "prof": "professeur", "cdt": "commandant",
    "lt": "lieutenant", "cne": "capitaine", "arr": "arrondissement", "ardt": "arrondissement",
}
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ORDINAL = re.compile(r"^([0-9]+)(er|ere|e|eme|nd|nde)$")


def sans_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normaliser(text: str | None) -> str:
    tokens = _NON_ALNUM.sub(" ", sans_accents(text or "").lower()).split()
    out = []
    for token in tokens:
        token = _ORDINAL.sub(r"\1", token)
        out.append(ABREVIATIONS.get(token, token))
    return " ".join(out)


_REPETITION = re.compile(r"^(bis|ter|quater|quinquies|[a-z]{1,2}[0-9]?)$")  # BAN: "bis", "b", "t", "p1", "bv"...
_NUMERO_COLLE = re.compile(r"^([0-9]{1,4})(bis|ter|quater|quinquies|[a-z]{1,2}[0-9]?)$")
_EQUIVALENTS = {"bis": "b", "ter": "t", "quater": "q", "quinquies": "c"}


def repetitions_equivalentes(rep: str) -> list[str]:
    """The spellings of a repetition index in the BAN: "bis" and "b", "ter" and "t", ..."""
    if not rep:
        return [""]
    reverse = {v: k for k, v in _EQUIVALENTS.items()}
    return [rep] + [x for x in (_EQUIVALENTS.get(rep), reverse.get(rep)) if x]
_CODE_POSTAL = re.compile(r"^[0-9]{5}$")
_PAS_UNE_REPETITION = {"de", "du", "la", "le", "l", "d", "au", "en"}
_MOTS_DE_LIAISON = {"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "en", "sur", "sous"}


@dataclass(frozen=True)
class Requete:
    """A free-text address, parsed: what the geocoder searches with."""

    numero: int | None
    rep: str
    voie: str  # normalised street (or place) name
    code_postal: str | None
    ville: str | None  # the normalised city words found at the end, if known


def _mots_proches(a: list[str], b: list[str]) -> bool:
    """Same words but for one typo per word (a letter substituted, left out, added or two swapped)
    in words of 4 letters or more; numbers and short words exactly."""
    return len(a) == len(b) and all(x == y or (len(y) >= 4 and not y.isdigit() and OSA.distance(x, y) <= 1)
                                    for x, y in zip(a, b))


def ville_approchee(candidate: list[str], noms: set[str] | list[str]) -> str | None:
    """The one known city name `candidate` (words) is a typo of, if exactly one (else None)."""
    trouves = {n for n in noms if _mots_proches(candidate, n.split())}
    return trouves.pop() if len(trouves) == 1 else None


def type_voie_corriger(tokens: list[str]) -> list[str]:
    """A street type typed with a typo ("boulevrd", "bouleard", "avenu", "pasage", "palce", "bvld")
    is the type: the first word of the street, 4 letters or more and not a known type, one typo
    away from the types (or their abbreviations of 4 letters or more) of exactly one type."""
    if not tokens or len(tokens) < 2 or tokens[0] in _TYPES_SIMPLES or len(tokens[0]) < 4 or tokens[0].isdigit():
        return tokens
    proches = {t for forme, t in _FORMES_TYPES if OSA.distance(tokens[0], forme) <= 1}
    return [proches.pop(), *tokens[1:]] if len(proches) == 1 else tokens


def requete_analyser(q: str, *, villes: set[str], villes_par_cp: dict[str, set[str]] | None = None,
                     villes_par_initiale: dict[tuple[int, str], list[str]] | None = None) -> Requete:
    """Split a free-text address into number, repetition, street, postal code and city. `villes`
    are the normalised city names the geocoder knows ("paris", "paris 11", ...): the longest
    of them ending the text is the city (unless taking it would leave a street ending in "de").
    Else a city one typo per word away: among the names of the postal code given
    (`villes_par_cp`), or without one among the names of as many words and the same first letter
    (`villes_par_initiale`). The street's type is recognised with a typo too."""
    tokens = normaliser(q).split()
    code_postal = None
    kept = []
    for token in tokens:
        if _CODE_POSTAL.match(token):
            code_postal = token
        else:
            kept.append(token)
    tokens = kept
    numero, rep = None, ""
    if tokens:
        if tokens[0].isdigit() and len(tokens[0]) <= 4 and len(tokens) > 1:
            numero = int(tokens.pop(0))
            if len(tokens) > 1 and _REPETITION.match(tokens[0]) and tokens[0] not in _PAS_UNE_REPETITION:
                rep = tokens.pop(0)
        elif (m := _NUMERO_COLLE.match(tokens[0])) and len(tokens) > 1:
            numero, rep = int(m.group(1)), m.group(2)
            tokens.pop(0)
    ville = None
    for size in range(min(5, len(tokens)), 0, -1):
        candidate = " ".join(tokens[-size:])
        rest = tokens[:-size]
        if candidate in villes and (not rest or rest[-1] not in _MOTS_DE_LIAISON):
            ville = candidate
            tokens = rest
            break
    if ville is None and (villes_par_cp or villes_par_initiale):
        for size in range(min(5, len(tokens) - 1), 0, -1):
            candidate, rest = tokens[-size:], tokens[:-size]
            if rest[-1] in _MOTS_DE_LIAISON:
                continue
            if code_postal and villes_par_cp and code_postal in villes_par_cp:
                noms = villes_par_cp[code_postal]
            else:
                noms = (villes_par_initiale or {}).get((size, candidate[0][:1]), ())
            ville = ville_approchee(candidate, noms)
            if ville:
                tokens = rest
                break
    tokens = type_voie_corriger(tokens)
    return Requete(numero=numero, rep=rep, voie=" ".join(tokens), code_postal=code_postal, ville=ville)


TYPES_VOIE = ("rue|avenue|boulevard|place|impasse|allee|passage|square|quai|cours|villa|cite|chemin|route|sentier|"
              "promenade|carrefour|rond point|port|pont|esplanade|galerie|hameau|voie|sente|jardin|parvis|cour|"
              "ruelle|villa|porte")
_TYPE_VOIE = re.compile(rf"^({TYPES_VOIE})( |$)")
_TYPES_SIMPLES = frozenset(t for t in TYPES_VOIE.split("|") if " " not in t)
# (spelling, type) a typo is compared with: the types and their abbreviations of 4 letters or more
_FORMES_TYPES = tuple(sorted({(t, t) for t in _TYPES_SIMPLES if len(t) >= 4}
                             | {(a, t) for a, t in ABREVIATIONS.items() if len(a) >= 4 and t in _TYPES_SIMPLES}))
_PETITS_MOTS = re.compile(r"\b(de|du|des|la|le|les|l|d)\b")


def voie_decomposer(voie_norm: str) -> tuple[str, str]:
    """(type, core) of a normalised street name: twin of reference.type_voie / noyau_voie."""
    m = _TYPE_VOIE.match(voie_norm)
    type_voie = m.group(1) if m else ""
    core = " ".join(_PETITS_MOTS.sub(" ", voie_norm[len(type_voie):]).split())
    return type_voie, core
