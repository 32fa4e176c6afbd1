"""Deduplication of acteurs across sources, pure (tested without Prefect nor database).

fiches (normalised acteurs) → candidate pairs by blocking → a score per pair → clusters.

- Blocking: same SIRET; same SIREN and commune; within `DISTANCE_MAX_M` (a grid of cells of that
  size, the 9 neighbouring cells compared); same normalised phone, e-mail or website. A block of
  an identifier shared by more than `BLOC_MAX` acteurs (a chain's national phone or website) is
  not a block: the distance finds those pairs.
- Score: points for and against (a Fellegi-Sunter-like sum of log-odds, weights in `POIDS`) on the
  names (rapidfuzz), the address (house number, street), the distance and the identifiers; a pair
  is a duplicate at `SEUIL` and above.
- Clusters: pairs by decreasing score merge components (union-find) unless the merge would put
  two acteurs of one source together (unless their SIRET says they are one), two existing parents
  together, or a pair staff rejected in one component. Existing parents keep their children.
- The scoring can be cut into lots of pairs (`lots_former`) scored elsewhere (`lot_scorer`, in
  another process or host, which holds every fiche once: `FichesPartagees`): the clusters are
  formed from all the lots' pairs, sorted, so the cut changes nothing.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
import uuid
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import chain, combinations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from geoapp.geocodage.normalisation import ABREVIATIONS

DISTANCE_MAX_M = 100.0
BLOC_MAX = 30
SEUIL = 4.0

# words that tell nothing about which place it is
_MOTS_VIDES = frozenset("""sarl sas sasu eurl sa sci snc scop ets etablissement etablissements societe ste
    cie et de du des la le les l d au aux chez""".split()) - {"ste"}
_NOM_ABREVIATIONS = {"ets": "etablissements", "cie": "compagnie", "ste": "societe", "st": "saint"}
_HOTES_PARTAGES = frozenset({"facebook.com", "instagram.com", "pagesjaunes.fr", "google.com", "sites.google.com",
                             "linkedin.com", "wixsite.com", "business.site", "linktr.ee"})
_NON_CHIFFRES = re.compile(r"\D+")
_NUMERO = re.compile(r"^([0-9]{1,4})(?: ?(bis|ter|quater|[a-z]))?\b")


@dataclass(slots=True)
class Fiche:
    """An acteur as the deduplication compares it (normalised)."""

    identifiant_unique: str
    source: str
    nom: str
    siret: str
    siren: str
    commune: str
    numero: str
    voie: str
    x: float | None  # metres (equirectangular around the point's latitude)
    y: float | None
    lon: float | None
    lat: float | None
    telephone: str
    email: str
    domaine: str
    parent: str | None = None
    est_parent: bool = False


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ORDINAL = re.compile(r"^([0-9]+)(er|ere|e|eme|nd|nde)$")


@lru_cache(maxsize=200_000)
def normaliser(text: str) -> str:
    """The geocoder's normalisation (geoapp.geocodage.normalisation.normaliser: lower case, no
    accents, abbreviations expanded, ordinals reduced), faster: characters without an ASCII
    decomposition are dropped, which matching names can afford."""
    ascii_ = unicodedata.normalize("NFKD", text.translate(_LIGATURES)).encode("ascii", "ignore").decode()
    out = []
    for token in _NON_ALNUM.sub(" ", ascii_.lower()).split():
        if token[0].isdigit() and token[-1] in "erd":
            token = _ORDINAL.sub(r"\1", token)
        out.append(ABREVIATIONS.get(token, token))
    return " ".join(out)


@lru_cache(maxsize=200_000)
def nom_normaliser(nom: str) -> str:
    tokens = []
    for t in normaliser(nom).split():
        t = _NOM_ABREVIATIONS.get(t, t)
        if t not in _MOTS_VIDES:
            tokens.append(t)
    return " ".join(tokens)


def telephone_normaliser(tel: str) -> str:
    digits = _NON_CHIFFRES.sub("", tel or "")
    if digits.startswith("0033"):
        digits = digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits[-9:] if len(digits) >= 9 else ""


def domaine_normaliser(url: str) -> str:
    u = (url or "").strip().lower()
    if not u:
        return ""
    u = re.sub(r"^[a-z]+://", "", u).split("/")[0].split("?")[0].split(":")[0]
    u = u.removeprefix("www.")
    return "" if u in _HOTES_PARTAGES or "." not in u else u


@lru_cache(maxsize=200_000)
def adresse_decomposer(adresse: str) -> tuple[str, str]:
    """(house number with its repetition, normalised street) of an address line."""
    a = normaliser(adresse)
    m = _NUMERO.match(a)
    if not m:
        return "", a
    rep = {"bis": "b", "ter": "t", "quater": "q"}.get(m.group(2) or "", m.group(2) or "")
    return m.group(1) + rep, a[m.end():].strip()


def fiche_depuis_acteur(acteur: dict) -> Fiche:
    """`acteur`: identifiant_unique, source, nom, siret, siren, adresse, code_postal,
    code_commune_insee, location [lon, lat] | None, telephone, email, url, parent, est_parent."""
    numero, voie = adresse_decomposer(acteur.get("adresse") or "")
    siret = _NON_CHIFFRES.sub("", acteur.get("siret") or "")
    siret = siret if len(siret) == 14 else ""
    siren = _NON_CHIFFRES.sub("", acteur.get("siren") or "") or siret[:9]
    loc = acteur.get("location")
    x = y = lon = lat = None
    if loc:
        lon, lat = float(loc[0]), float(loc[1])
        y = lat * 111_195.0
        x = lon * 111_195.0 * math.cos(math.radians(lat))
    return Fiche(
        identifiant_unique=acteur["identifiant_unique"], source=acteur.get("source") or "",
        nom=nom_normaliser(acteur.get("nom") or ""), siret=siret, siren=siren if len(siren) == 9 else "",
        commune=acteur.get("code_commune_insee") or acteur.get("code_postal") or "", numero=numero, voie=voie,
        x=x, y=y, lon=lon, lat=lat, telephone=telephone_normaliser(acteur.get("telephone") or ""),
        email=(acteur.get("email") or "").strip().lower(), domaine=domaine_normaliser(acteur.get("url") or ""),
        parent=acteur.get("parent") or None, est_parent=bool(acteur.get("est_parent")),
    )


# --- blocking ----------------------------------------------------------------------------------


def paires_candidates(fiches: list[Fiche], *, distance_max_m: float = DISTANCE_MAX_M,
                      bloc_max: int = BLOC_MAX) -> set[tuple[int, int]]:
    """Index pairs (i < j) sharing a block. Parents are not compared (their children are)."""
    paires: set[tuple[int, int]] = set()
    blocs: dict[tuple, list[int]] = {}
    for i, f in enumerate(fiches):
        if f.est_parent:
            continue
        if f.siret:
            blocs.setdefault(("siret", f.siret), []).append(i)
        if f.siren and f.commune:
            blocs.setdefault(("siren", f.siren, f.commune), []).append(i)
        if f.telephone:
            blocs.setdefault(("tel", f.telephone), []).append(i)
        if f.email:
            blocs.setdefault(("email", f.email), []).append(i)
        if f.domaine:
            blocs.setdefault(("web", f.domaine), []).append(i)
    for cle, membres in blocs.items():
        if len(membres) < 2 or (len(membres) > bloc_max and cle[0] != "siret"):
            continue
        paires.update(combinations(membres, 2))  # indices are increasing within a block
    # distance: cells of distance_max_m; a point is compared with its own and the next cells
    cellules: dict[tuple[int, int], list[int]] = {}
    for i, f in enumerate(fiches):
        if f.x is not None and not f.est_parent:
            cellules.setdefault((int(f.x // distance_max_m), int(f.y // distance_max_m)), []).append(i)
    d2 = distance_max_m * distance_max_m
    voisines = ((1, -1), (1, 0), (1, 1), (0, 1))
    for (cx, cy), membres in cellules.items():
        for a, b in combinations(membres, 2):
            fa, fb = fiches[a], fiches[b]
            if (fa.x - fb.x) ** 2 + (fa.y - fb.y) ** 2 <= d2:
                paires.add((a, b) if a < b else (b, a))
        for dx, dy in voisines:
            autres = cellules.get((cx + dx, cy + dy))
            if not autres:
                continue
            for a in membres:
                fa = fiches[a]
                for b in autres:
                    fb = fiches[b]
                    if (fa.x - fb.x) ** 2 + (fa.y - fb.y) ** 2 <= d2:
                        paires.add((a, b) if a < b else (b, a))
    return paires


# --- scoring -----------------------------------------------------------------------------------


POIDS = {
    "siret_egal": 6.0, "siret_different": -6.0, "siren_egal": 1.0,
    "telephone_egal": 2.0, "email_egal": 2.0, "domaine_egal": 1.0,
    "nom_tres_proche": 4.0, "nom_proche": 2.5, "nom_voisin": 1.0, "nom_different": -2.0, "nom_sans_rapport": -5.0,
    "numero_egal": 1.5, "numero_different": -4.0, "voie_proche": 1.5, "voie_differente": -2.0,
    "distance_15": 2.0, "distance_40": 1.0, "distance_100": 0.0, "distance_1000": -1.5, "distance_loin": -5.0,
}


def distance_m(a: Fiche, b: Fiche) -> float | None:
    if a.x is None or b.x is None:
        return None
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(math.radians(a.lat)) * math.cos(math.radians(b.lat)) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def nom_similarite(a: str, b: str) -> float:
    """0..1: the mean of token-set and token-sort ratios (word order, abbreviations expanded by
    the normalisation, extra words like a city name); an empty name is 0."""
    if not a or not b:
        return 0.0
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200.0


def paire_score(a: Fiche, b: Fiche) -> tuple[float, dict[str, float]]:
    """(score, the features that gave it). Missing values are neutral."""
    p = POIDS
    detail: dict[str, float] = {}

    def add(nom: str) -> None:
        detail[nom] = p[nom]

    if a.siret and b.siret:
        add("siret_egal" if a.siret == b.siret else "siret_different")
    if a.siren and b.siren and a.siren == b.siren and not (a.siret and b.siret and a.siret != b.siret):
        add("siren_egal")
    if a.telephone and a.telephone == b.telephone:
        add("telephone_egal")
    if a.email and a.email == b.email:
        add("email_egal")
    if a.domaine and a.domaine == b.domaine:
        add("domaine_egal")
    s = nom_similarite(a.nom, b.nom)
    if a.nom and b.nom:
        add("nom_tres_proche" if s >= 0.95 else "nom_proche" if s >= 0.85 else "nom_voisin" if s >= 0.72
            else "nom_different" if s >= 0.5 else "nom_sans_rapport")
    if a.numero and b.numero:
        add("numero_egal" if a.numero == b.numero else "numero_different")
    if a.voie and b.voie:
        sv = 1.0 - Levenshtein.normalized_distance(a.voie, b.voie)
        sv = max(sv, fuzz.token_set_ratio(a.voie, b.voie) / 100.0)
        if sv >= 0.85:
            add("voie_proche")
        elif sv < 0.5:
            add("voie_differente")
    d = distance_m(a, b)
    if d is not None:
        add("distance_15" if d <= 15 else "distance_40" if d <= 40 else "distance_100" if d <= 100
            else "distance_1000" if d <= 1000 else "distance_loin")
    return sum(detail.values()), detail


# --- clustering --------------------------------------------------------------------------------


@dataclass
class Grappe:
    """A cluster: its members (indices), its existing parent (identifiant) if any."""

    membres: list[int]
    parent: str | None
    paires: list[tuple[int, int, float]] = field(default_factory=list)


def grappes_former(fiches: list[Fiche], paires: list[tuple[int, int, float, bool]],
                   rejetees: set[frozenset[str]] | None = None) -> list[Grappe]:
    """Clusters of ≥ 2 members from scored pairs `(i, j, score, meme_siret)` at or above the
    threshold (the caller filters), strongest first. Members that already share a parent start
    in its component."""
    rejetees = rejetees or set()
    # only the acteurs in a pair or under a parent take part (local indices 0..n-1)
    noeuds = sorted({i for p in paires for i in p[:2]} | {i for i, f in enumerate(fiches) if f.parent})
    local = {g: k for k, g in enumerate(noeuds)}
    paires = [(local[i], local[j], score, meme) for i, j, score, meme in paires]
    fiches = [fiches[g] for g in noeuds]
    n = len(fiches)
    racine = list(range(n))
    sources: list[set[str]] = [{f.source} if f.source else set() for f in fiches]
    parent_de: list[str | None] = [f.parent for f in fiches]
    interdits: dict[str, set[str]] = {}
    ids = [f.identifiant_unique for f in fiches]
    for pair in rejetees:
        if len(pair) == 2:
            a, b = tuple(pair)
            interdits.setdefault(a, set()).add(b)
            interdits.setdefault(b, set()).add(a)
    membres: list[list[int]] = [[i] for i in range(n)]
    interdit_comp: list[set[str]] = [set(interdits.get(ids[i], ())) for i in range(n)]
    ids_comp: list[set[str]] = [{ids[i]} for i in range(n)]
    siret_comp: list[set[str]] = [{fiches[i].siret} if fiches[i].siret else set() for i in range(n)]

    def trouver(i: int) -> int:
        while racine[i] != i:
            racine[i] = racine[racine[i]]
            i = racine[i]
        return i

    def unir(ra: int, rb: int) -> int:
        if len(membres[ra]) < len(membres[rb]):
            ra, rb = rb, ra
        racine[rb] = ra
        membres[ra] += membres[rb]
        sources[ra] |= sources[rb]
        interdit_comp[ra] |= interdit_comp[rb]
        ids_comp[ra] |= ids_comp[rb]
        siret_comp[ra] |= siret_comp[rb]
        parent_de[ra] = parent_de[ra] or parent_de[rb]
        membres[rb], sources[rb], interdit_comp[rb], ids_comp[rb] = [], set(), set(), set()
        return ra

    # existing parents' children start together
    par_parent: dict[str, int] = {}
    for i, f in enumerate(fiches):
        if f.parent:
            if f.parent in par_parent:
                unir(trouver(par_parent[f.parent]), trouver(i))
            else:
                par_parent[f.parent] = i
    retenues: list[tuple[int, int, float]] = []
    for i, j, score, meme_siret in sorted(paires, key=lambda p: (-p[2], p[0], p[1])):
        ri, rj = trouver(i), trouver(j)
        if ri == rj:
            retenues.append((i, j, score))
            continue
        if parent_de[ri] and parent_de[rj] and parent_de[ri] != parent_de[rj]:
            continue  # two existing parents: staff merge parents, not the flow
        if ids_comp[rj] & interdit_comp[ri]:
            continue  # a pair staff rejected
        if sources[ri] & sources[rj] and not (meme_siret and siret_comp[ri] == siret_comp[rj]):
            continue  # two acteurs of one source: only when their SIRET says they are one
        unir(ri, rj)
        retenues.append((i, j, score))
    par_racine: dict[int, Grappe] = {}
    for r in range(n):
        if racine[r] == r and len(membres[r]) >= 2:
            par_racine[r] = Grappe(membres=[noeuds[k] for k in sorted(membres[r], key=lambda k: ids[k])],
                                   parent=parent_de[r])
    for i, j, score in retenues:
        g = par_racine.get(trouver(i))
        if g is not None:
            g.paires.append((noeuds[i], noeuds[j], score))
    return sorted(par_racine.values(), key=lambda g: g.membres and ids[local[g.membres[0]]])


def paires_scorer(fiches: list[Fiche], paires: Iterable[tuple[int, int]], *,
                  seuil: float = SEUIL) -> list[tuple[int, int, float, bool]]:
    """The candidate pairs at or above `seuil`, scored: `(i, j, score, meme_siret)`. Children of
    one existing parent are not scored (they are together already)."""
    scorees = []
    for i, j in paires:
        a, b = fiches[i], fiches[j]
        if a.parent and a.parent == b.parent:
            continue
        score, _ = paire_score(a, b)
        if score >= seuil:
            scorees.append((i, j, score, bool(a.siret) and a.siret == b.siret))
    return scorees


_VALEURS_FICHE = operator.attrgetter(*(f.name for f in fields(Fiche)))


class _Partage:
    """Sent to another process whole: a plain class, not a dataclass nor a tuple, so neither
    Prefect (looking for futures) nor Dask (for its graph) walks into it, and Dask names it by a
    token of its own instead of hashing its contents."""

    __slots__ = ("jeton",)

    def __init__(self) -> None:
        self.jeton = uuid.uuid4().hex

    def __dask_tokenize__(self) -> str:
        return self.jeton


class FichesPartagees(_Partage):
    """Every fiche, sent once to each process that scores lots (a Dask worker holds one copy for
    all its lots), pickled as tuples of values: a fraction of the dataclasses' time."""

    __slots__ = ("fiches",)

    def __init__(self, fiches: list[Fiche]) -> None:
        super().__init__()
        self.fiches = fiches

    def __getstate__(self) -> tuple:
        return [_VALEURS_FICHE(f) for f in self.fiches], self.jeton

    def __setstate__(self, etat: tuple) -> None:
        valeurs, self.jeton = etat
        self.fiches = [Fiche(*v) for v in valeurs]


class LotDePaires(_Partage):
    """A share of the scoring: its pairs, in the fiches' indices, flat in an array (i0, j0, i1,
    j1…), which pickles in a few milliseconds. The fiches travel apart, once per process: in each
    lot, each fiche would be pickled with every lot naming it (2.3 times over at 200,000
    acteurs)."""

    __slots__ = ("paires",)

    def __init__(self, paires: array) -> None:
        super().__init__()
        self.paires = paires

    def __len__(self) -> int:
        return len(self.paires) // 2


def scores_emballer(scorees: list[tuple[int, int, float, bool]]) -> tuple[array, array, array, bytes]:
    """Scored pairs as four arrays, to cross processes: Prefect walks a task's result looking for
    futures (a list of 100,000 tuples is 400,000 visits), it does not walk into an array."""
    i, j, score, meme = zip(*scorees) if scorees else ((), (), (), ())
    return array("q", i), array("q", j), array("d", score), bytes(meme)


def scores_deballer(paquet: tuple[array, array, array, bytes]) -> list[tuple[int, int, float, bool]]:
    """The inverse of `scores_emballer`: the same pairs, the same scores to the last bit."""
    i, j, score, meme = paquet
    return [(a, b, s, bool(m)) for a, b, s, m in zip(i, j, score, meme)]


def lots_former(paires: list[tuple[int, int]], *, taille: int) -> list[LotDePaires]:
    """The pairs, in their order, cut into lots of at most `taille`."""
    return [LotDePaires(array("q", chain.from_iterable(paires[debut:debut + taille])))
            for debut in range(0, len(paires), taille)]


def lot_scorer(lot: LotDePaires, fiches: list[Fiche], *, seuil: float = SEUIL) -> list[tuple[int, int, float, bool]]:
    """A lot's scored pairs: the lots' results put together are those of `paires_scorer` on all
    the pairs."""
    return paires_scorer(fiches, zip(lot.paires[::2], lot.paires[1::2]), seuil=seuil)


def doublons_trouver(acteurs: list[dict], *, rejetees: set[frozenset[str]] | None = None,
                     seuil: float = SEUIL) -> tuple[list[Fiche], list[Grappe]]:
    """The whole pipeline in one process: fiches, candidate pairs, scores, clusters."""
    fiches = [fiche_depuis_acteur(a) for a in acteurs]
    scorees = paires_scorer(fiches, sorted(paires_candidates(fiches)), seuil=seuil)
    return fiches, grappes_former(fiches, scorees, rejetees)
