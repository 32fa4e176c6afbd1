"""Reads: the offline geocoder over the cloned BAN (warehouse views `reference.ban`, `ban_voie`,
`ban_commune`, read through the read-only `warehouse` alias).

A query is normalised and parsed (number, repetition, street, postal code, city); the street is
matched by trigram similarity on the precomputed normalised names of the streets (GIN index),
restricted to the postal code / the city when the text has one; the number is then looked up
exactly on the best streets. Under a minimum similarity there is no answer rather than a wrong
one. For the best answer alone (limit 1: geocoding one address), the exact normalised street name
is tried first in the same statement, the fuzzy search only when it finds nothing.
The statements are prepared once per connection (settings: the `warehouse` alias)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import connections

from .resultats import Resultat
from .normalisation import Requete, normaliser, repetitions_equivalentes, requete_analyser, voie_decomposer

ALIAS = "warehouse"
SIMILARITE_MIN = 0.5  # under it a street is not the one asked for
CANDIDATS = 8
_CACHE_TTL = 300.0


@dataclass(frozen=True)
class _Commune:
    code_insee: str
    nom: str
    codes_postaux: tuple[str, ...]
    lon: float
    lat: float


class _Villes:
    """The communes of the clone and the city names that designate them, cached per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = -_CACHE_TTL
        self.par_nom: dict[str, list[_Commune]] = {}
        self.noms: set[str] = set()
        self.par_cp: dict[str, set[str]] = {}  # postal code → the names of its communes
        self.par_initiale: dict[tuple[int, str], list[str]] = {}  # (words, first letter) → names

    def charger(self, alias: str) -> "_Villes":
        if time.monotonic() - self._loaded_at < _CACHE_TTL:
            return self
        with self._lock:
            if time.monotonic() - self._loaded_at < _CACHE_TTL:
                return self
            par_nom: dict[str, list[_Commune]] = {}
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT code_insee, nom_commune, commune_norm, acheminement_norm, codes_postaux, lon, lat "
                               "FROM ban_commune")
                for code, nom, commune_norm, acheminement_norm, codes_postaux, lon, lat in cursor.fetchall():
                    commune = _Commune(code, nom, tuple(codes_postaux or ()), lon, lat)
                    keys = {commune_norm, acheminement_norm}
                    if commune_norm.endswith(" arrondissement"):  # "paris 11 arrondissement" → "paris 11"
                        keys.add(commune_norm.removesuffix(" arrondissement"))
                    for key in keys - {"", None}:
                        par_nom.setdefault(key, []).append(commune)
            par_cp: dict[str, set[str]] = {}
            par_initiale: dict[tuple[int, str], list[str]] = {}
            for nom, communes in par_nom.items():
                par_initiale.setdefault((len(nom.split()), nom[:1]), []).append(nom)
                for c in communes:
                    for cp in c.codes_postaux:
                        par_cp.setdefault(cp, set()).add(nom)
            self.par_nom, self.noms, self.par_cp, self.par_initiale = par_nom, set(par_nom), par_cp, par_initiale
            self._loaded_at = time.monotonic()
        return self


_villes = _Villes()

_VOIE = "code_insee, code_postal, nom_commune, nom_voie, id_ban, lon, lat, nb_adresses"
_QUAL = """greatest(similarity(nom_norm, %(nom)s::text),
                    1 - levenshtein(left(nom_norm, 255), left(%(nom)s::text, 255))::float
                        / greatest(length(nom_norm), length(%(nom)s::text), 1))
           - CASE WHEN %(type)s::text = '' OR type_voie = %(type)s::text THEN 0 ELSE 0.1 END"""
_NUMERO = """LEFT JOIN LATERAL (
  SELECT a.id, a.numero, a.rep, a.lon, a.lat FROM ban a
  WHERE %(numero)s::integer IS NOT NULL AND a.code_insee = v.code_insee AND a.nom_voie = v.nom_voie
    AND a.numero = %(numero)s::integer AND a.code_postal IS NOT DISTINCT FROM v.code_postal
  ORDER BY (lower(coalesce(a.rep, '')) = ANY(%(reps)s::text[])) DESC, (a.rep IS NULL) DESC, a.id
  LIMIT 1) a ON true"""
_COLONNES = "v.code_insee, v.code_postal, v.nom_commune, v.nom_voie, v.id_ban, v.lon, v.lat, v.qual, " \
            "a.id, a.numero, a.rep, a.lon, a.lat"

# the fuzzy search: trigram neighbours of the core name (GIN) or, in mode "tout", every street of
# the postal code / commune; the best `k` streets, then the number on each
_SQL = f"""
SELECT {_COLONNES}
FROM (SELECT {_VOIE}, {_QUAL} AS qual
      FROM ban_voie
      WHERE {{recherche}} {{filtres}}
      ORDER BY qual DESC, nb_adresses DESC
      LIMIT %(k)s::integer) v
{_NUMERO}
ORDER BY v.qual DESC, v.nb_adresses DESC
"""

# for the best answer only: the exact normalised street name first (btree on voie_norm: the clean
# and most degraded spellings, whose abbreviations, accents and case normalise away); the fuzzy
# search runs, in the same statement, only when no exact street has the number asked for. An
# exact street scores the top similarity (1.0), so the best answer is the one the fuzzy search
# alone would give.
_SQL_EXACTE_PUIS_FLOUE = f"""
WITH exacte AS MATERIALIZED (
  SELECT {_COLONNES}, v.nb_adresses
  FROM (SELECT {_VOIE}, 1.0::float AS qual FROM ban_voie
        WHERE voie_norm = %(voie)s::text {{filtres}}
        ORDER BY nb_adresses DESC LIMIT %(k)s::integer) v
  {_NUMERO}),
trouvee AS MATERIALIZED (SELECT EXISTS (SELECT FROM exacte e WHERE %(numero)s::integer IS NULL OR e.id IS NOT NULL) AS oui)
SELECT code_insee, code_postal, nom_commune, nom_voie, id_ban, lon, lat, qual, id, numero, rep, a_lon, a_lat
FROM (SELECT e.* FROM exacte e WHERE (SELECT oui FROM trouvee)
      UNION ALL
      SELECT {_COLONNES}, v.nb_adresses
      FROM (SELECT {_VOIE}, {_QUAL} AS qual
            FROM ban_voie
            WHERE NOT (SELECT oui FROM trouvee) AND {{recherche}} {{filtres}}
            ORDER BY qual DESC, nb_adresses DESC
            LIMIT %(k)s::integer) v
      {_NUMERO}) r(code_insee, code_postal, nom_commune, nom_voie, id_ban, lon, lat, qual, id, numero, rep, a_lon,
                   a_lat, nb_adresses)
ORDER BY qual DESC, nb_adresses DESC
"""


def _candidats(cursor, requete: Requete, *, mode: str, code_postal: str | None,
               codes_insee: list[str] | None, exacte_dabord: bool = False) -> list[tuple]:
    type_voie, nom = voie_decomposer(requete.voie)
    if not nom:
        type_voie, nom = "", requete.voie
    params = {"nom": nom, "type": type_voie, "k": CANDIDATS, "numero": requete.numero,
              "reps": repetitions_equivalentes(requete.rep), "voie": requete.voie}
    filtres = ""
    if code_postal:
        filtres += " AND code_postal = %(cp)s::text"
        params["cp"] = code_postal
    if codes_insee:
        filtres += " AND code_insee = ANY(%(insee)s::text[])"
        params["insee"] = codes_insee
    # "proche": the core name (btree) or its trigram neighbours (GIN), in one statement; "tout":
    # every street of one postal code / commune (a few hundred), for typos in short names
    recherche = {"proche": "(nom_norm = %(nom)s::text OR nom_norm %% %(nom)s::text)", "tout": "true"}[mode]
    sql = _SQL_EXACTE_PUIS_FLOUE if exacte_dabord and mode == "proche" else _SQL
    cursor.execute(sql.format(recherche=recherche, filtres=filtres), params)
    return [row for row in cursor.fetchall() if row[7] >= SIMILARITE_MIN]


HORS_CONTEXTE = 0.15  # what an answer outside the postal code / city given loses


def _analyser(q: str, villes: _Villes) -> Requete:
    return requete_analyser(q, villes=villes.noms, villes_par_cp=villes.par_cp, villes_par_initiale=villes.par_initiale)


def _contexte(requete: Requete, villes: _Villes) -> tuple[str | None, list[str] | None]:
    """(postal code, INSEE codes) restricting the search: the postal code, else the city. A postal
    code that none of the city's communes has (or no commune at all) is taken for a typo: the
    city decides."""
    communes = villes.par_nom.get(requete.ville, []) if requete.ville else []
    codes_insee = sorted({c.code_insee for c in communes}) or None
    cp = requete.code_postal
    if cp and (cp not in villes.par_cp or (communes and not any(cp in c.codes_postaux for c in communes))):
        cp = None
    return (cp, None) if cp else (None, codes_insee)


def _resultats(requete: Requete, rows: list[tuple], *, contexte_ok: bool, hors_contexte: bool = False) -> list[Resultat]:
    """`hors_contexte`: these answers are outside the postal code / city the text gave."""
    malus = HORS_CONTEXTE if hors_contexte else 0.0
    out = []
    for code_insee, code_postal, nom_commune, nom_voie, id_voie, vlon, vlat, sim, aid, numero, rep, alon, alat in rows:
        sim = min(sim, 1.0)
        if aid is not None:
            housenumber = f"{numero}{' ' + rep if rep else ''}"
            rep_ok = (rep or "").lower() in repetitions_equivalentes(requete.rep)
            score = 0.75 * sim + 0.15 + (0.05 if rep_ok else 0.0) + (0.05 if contexte_ok else 0.0) - malus
            out.append(Resultat(
                label=f"{housenumber} {nom_voie} {code_postal} {nom_commune}", score=round(score, 4), id=aid,
                type="housenumber", lon=alon, lat=alat, housenumber=housenumber, street=nom_voie,
                name=f"{housenumber} {nom_voie}", postcode=code_postal, citycode=code_insee, city=nom_commune))
        else:
            penalty = 0.15 if requete.numero is not None else 0.0
            score = 0.75 * sim + 0.2 - penalty + (0.05 if contexte_ok else 0.0) - malus
            out.append(Resultat(
                label=f"{nom_voie} {code_postal} {nom_commune}", score=round(score, 4), id=id_voie, type="street",
                lon=vlon, lat=vlat, street=nom_voie, name=nom_voie, postcode=code_postal, citycode=code_insee,
                city=nom_commune))
    return out


def adresse_rechercher(*, q: str, limit: int = 5, alias: str = ALIAS) -> list[Resultat]:
    """The best `limit` answers of the cloned BAN for the free-text address `q`, best first."""
    villes = _villes.charger(alias)
    requete = _analyser(q, villes)
    communes = villes.par_nom.get(requete.ville, []) if requete.ville else []
    if not requete.voie:
        # only a city (and/or a postal code): the commune itself
        matching = communes or [c for cs in villes.par_nom.values() for c in cs if requete.code_postal in c.codes_postaux]
        seen, out = set(), []
        for c in matching:
            if c.code_insee not in seen and (not requete.code_postal or requete.code_postal in c.codes_postaux):
                seen.add(c.code_insee)
                out.append(Resultat(label=c.nom, score=0.9, id=c.code_insee, type="municipality", lon=c.lon, lat=c.lat,
                                    name=c.nom, postcode=(c.codes_postaux or (None,))[0], citycode=c.code_insee,
                                    city=c.nom))
        return out[:limit]
    with connections[alias].cursor() as cursor:
        # the postal code, else the city, restricts the search; exact core name first, then fuzzy;
        # if the context finds nothing it may be wrong: anywhere
        contexte = _contexte(requete, villes)
        donne = bool(requete.code_postal or requete.ville)
        narrow = bool(contexte[0]) or (contexte[1] is not None and len(contexte[1]) == 1)
        attempts = [("proche", *contexte)] + ([("tout", *contexte)] if narrow else [])
        in_context = len(attempts)
        if contexte != (None, None):
            attempts.append(("proche", None, None))
        rows, contexte_ok = [], False
        for i, (mode, code_postal, insee) in enumerate(attempts):
            rows = _candidats(cursor, requete, mode=mode, code_postal=code_postal, codes_insee=insee,
                              exacte_dabord=limit == 1)
            if rows:
                contexte_ok = i < in_context and contexte != (None, None)
                break
    resultats = _resultats(requete, rows, contexte_ok=contexte_ok, hors_contexte=donne and not contexte_ok)
    resultats.sort(key=lambda r: (-r.score, r.type != "housenumber"))
    unique, seen = [], set()
    for r in resultats:
        if r.id not in seen:
            seen.add(r.id)
            unique.append(r)
    return unique[:limit]


_SQL_LOT = """
SELECT q.i, v.code_insee, v.code_postal, v.nom_commune, v.nom_voie, v.id_ban, v.lon, v.lat, v.qual,
       a.id, a.numero, a.rep, a.lon, a.lat
FROM unnest(%(i)s::integer[], %(nom)s::text[], %(type)s::text[], %(cp)s::text[], %(insee)s::text[],
            %(numero)s::integer[], %(reps)s::text[]) AS q(i, nom, type, cp, insee, numero, reps)
CROSS JOIN LATERAL (
  SELECT code_insee, code_postal, nom_commune, nom_voie, id_ban, lon, lat, nb_adresses,
         greatest(similarity(nom_norm, q.nom),
                  1 - levenshtein(left(nom_norm, 255), left(q.nom, 255))::float
                      / greatest(length(nom_norm), length(q.nom), 1))
         - CASE WHEN q.type = '' OR type_voie = q.type THEN 0 ELSE 0.1 END AS qual
  FROM (
    -- with a postal code: the streets of that postal code (its index), then the trigram test; a
    -- trigram search of all France first would read every street of that name (thousands of
    -- « rue de l'église ») to keep one postal code's
    SELECT * FROM ban_voie
    WHERE code_postal = q.cp AND (nom_norm = q.nom OR nom_norm %% q.nom)
    UNION ALL
    -- without one (a one-time filter: skipped for an address that has one): by name, in its communes
    SELECT * FROM ban_voie
    WHERE q.cp IS NULL AND (nom_norm = q.nom OR nom_norm %% q.nom)
      AND (q.insee IS NULL OR code_insee = ANY(string_to_array(q.insee, ',')))) ban_voie
  ORDER BY qual DESC, nb_adresses DESC
  LIMIT %(k)s::integer) v
LEFT JOIN LATERAL (
  SELECT a.id, a.numero, a.rep, a.lon, a.lat FROM ban a
  WHERE q.numero IS NOT NULL AND a.code_insee = v.code_insee AND a.nom_voie = v.nom_voie
    AND a.numero = q.numero AND a.code_postal IS NOT DISTINCT FROM v.code_postal
  ORDER BY (lower(coalesce(a.rep, '')) = ANY(string_to_array(q.reps, ','))) DESC, (a.rep IS NULL) DESC, a.id
  LIMIT 1) a ON true
ORDER BY q.i, v.qual DESC, v.nb_adresses DESC
"""


def adresses_geocoder_lot(*, adresses: list[str], alias: str = ALIAS) -> list[Resultat | None]:
    """The best answer for each address, in order: the first search (within the postal code /
    city) of every address in ONE statement; the few that find nothing there take the path of
    `adresse_rechercher` (wider searches) one by one. Same answers as `adresse_rechercher`."""
    villes = _villes.charger(alias)
    requetes = [_analyser(a, villes) for a in adresses]
    params = {"i": [], "nom": [], "type": [], "cp": [], "insee": [], "numero": [], "reps": [], "k": CANDIDATS}
    contexts = {}
    for i, requete in enumerate(requetes):
        if not requete.voie:
            continue
        type_voie, nom = voie_decomposer(requete.voie)
        if not nom:
            type_voie, nom = "", requete.voie
        cp, codes_insee = _contexte(requete, villes)
        params["i"].append(i)
        params["nom"].append(nom)
        params["type"].append(type_voie)
        params["cp"].append(cp)
        params["insee"].append(None if cp or not codes_insee else ",".join(codes_insee))
        params["numero"].append(requete.numero)
        params["reps"].append(",".join(repetitions_equivalentes(requete.rep)))
        contexts[i] = bool(cp or codes_insee)
    rows_by_i: dict[int, list[tuple]] = {}
    if params["i"]:
        with connections[alias].cursor() as cursor:
            cursor.execute(_SQL_LOT, params)
            for row in cursor.fetchall():
                if row[8] >= SIMILARITE_MIN:
                    rows_by_i.setdefault(row[0], []).append(row[1:])
    out: list[Resultat | None] = []
    for i, (adresse, requete) in enumerate(zip(adresses, requetes)):
        rows = rows_by_i.get(i)
        if rows:
            found = _resultats(requete, rows, contexte_ok=contexts[i],
                               hors_contexte=bool(requete.code_postal or requete.ville) and not contexts[i])
            found.sort(key=lambda r: (-r.score, r.type != "housenumber"))
            out.append(found[0])
        else:
            found = adresse_rechercher(q=adresse, limit=1, alias=alias)
            out.append(found[0] if found else None)
    return out


class GeocodeurHorsLigne:
    """The offline backend: no network, the cloned BAN of the warehouse."""

    nom = "hors_ligne"

    def __init__(self, *, alias: str = ALIAS) -> None:
        self.alias = alias

    def rechercher(self, *, q: str, limit: int = 5) -> list[Resultat]:
        return adresse_rechercher(q=q, limit=limit, alias=self.alias)

    def geocoder_lot(self, *, adresses: list[str], taille: int = 500) -> list[Resultat | None]:
        out: list[Resultat | None] = []
        for start in range(0, len(adresses), taille):
            out += adresses_geocoder_lot(adresses=adresses[start:start + taille], alias=self.alias)
        return out


__all__ = ["GeocodeurHorsLigne", "adresse_rechercher", "adresses_geocoder_lot", "normaliser"]
