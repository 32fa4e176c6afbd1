"""Reads of the statistics: the figures computed from the web app's tables (SQL in named pieces,
psycopg.sql), and the snapshots kept, as the page draws them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from psycopg import sql

from .models import Indicateur, ReleveStatistique, ValeurStatistique

Figure = tuple[str, str, float]  # (indicator, key, value)

# --- counts of displayed acteurs ----------------------------------------------------------------

_PAR_CODE_TABLEAU = sql.SQL(
    "SELECT code, count(*) FROM acteurs_displayedacteur d CROSS JOIN LATERAL unnest(d.{col}) AS code "
    "GROUP BY code")
_PAR_TYPE = sql.SQL(
    "SELECT coalesce(nullif(acteur_type, ''), 'inconnu'), count(*) FROM acteurs_displayedacteur GROUP BY 1")
# the commune's département, else the département whose contour holds the point, else "inconnu"
_PAR_DEPARTEMENT = sql.SQL(
    "SELECT coalesce(nullif(c.departement, ''), dep.code, 'inconnu'), count(*) FROM acteurs_displayedacteur d "
    "LEFT JOIN territoires_commune c ON c.code = d.code_commune_insee "
    "LEFT JOIN LATERAL (SELECT code FROM territoires_departement t WHERE c.code IS NULL AND d.location IS NOT NULL "
    "AND ST_Intersects(t.geom, d.location::geometry) ORDER BY code LIMIT 1) dep ON true GROUP BY 1")

# imprecise: no location, or a geocoding flagged or answering less than a house number
_PARTS = sql.SQL(
    "SELECT count(*), "
    "count(*) FILTER (WHERE d.siret ~ '^[0-9]{14}$'), "
    "count(*) FILTER (WHERE d.location IS NOT NULL AND (g.acteur_id IS NULL OR "
    "(NOT g.signale AND g.type_resultat = 'housenumber'))), "
    "count(*) FILTER (WHERE e.n > 1) "
    "FROM acteurs_displayedacteur d "
    "LEFT JOIN geocodage_geocodageacteur g ON g.acteur_id = d.identifiant_unique "
    "LEFT JOIN (SELECT identifiant_unique, count(*) OVER (PARTITION BY round(ST_X(location::geometry)::numeric, 6), "
    "round(ST_Y(location::geometry)::numeric, 6)) AS n FROM acteurs_displayedacteur WHERE location IS NOT NULL) e "
    "ON e.identifiant_unique = d.identifiant_unique")

# --- median distance from a citizen to the nearest place offering each action ----------------------
# One sample point per commune (its point on surface; the arrondissements instead of Paris, Lyon,
# Marseille), weighted by its population; per action, the nearest displayed acteur offering it (KNN on
# the geography GiST index), then the population-weighted median of those distances.
_POINTS_HABITANTS = sql.SQL(
    "SELECT c.population::float8 AS poids, ST_PointOnSurface(c.geom)::geography AS p FROM territoires_commune c "
    "WHERE c.population > 0 AND c.geom IS NOT NULL AND NOT EXISTS (SELECT 1 FROM territoires_commune a "
    "WHERE a.commune_parente = c.code AND a.type = 'arrondissement_municipal')")
_ACTIONS_OFFERTES = sql.SQL("SELECT DISTINCT unnest(actions) AS code FROM acteurs_displayedacteur")
_PLUS_PROCHE = sql.SQL(
    "SELECT ST_Distance(d.location, pt.p) AS m FROM acteurs_displayedacteur d "
    "WHERE d.actions @> ARRAY[a.code]::varchar[] AND d.location IS NOT NULL ORDER BY d.location <-> pt.p LIMIT 1")
_DISTANCE_MEDIANE = sql.SQL(
    "WITH pt AS MATERIALIZED ({points}), a AS MATERIALIZED ({actions}), "
    "dist AS (SELECT a.code, pt.poids, near.m FROM a CROSS JOIN pt CROSS JOIN LATERAL ({proche}) near), "
    "cumul AS (SELECT code, m, sum(poids) OVER (PARTITION BY code ORDER BY m ROWS UNBOUNDED PRECEDING) AS c, "
    "sum(poids) OVER (PARTITION BY code) AS total FROM dist) "
    "SELECT code, min(m) FILTER (WHERE c >= total / 2) FROM cumul GROUP BY code"
).format(points=_POINTS_HABITANTS, actions=_ACTIONS_OFFERTES, proche=_PLUS_PROCHE)

# --- suggestions per source and status ------------------------------------------------------------
_SUGGESTIONS = sql.SQL(
    "SELECT source_id, statut, count(*) FROM suggestions_groupesuggestion "
    "WHERE statut = ANY({statuts}) GROUP BY 1, 2")
SUGGESTIONS_STATUTS = {"a_valider": Indicateur.SUGGESTIONS_A_VALIDER, "appliquee": Indicateur.SUGGESTIONS_APPLIQUEES,
                       "rejetee": Indicateur.SUGGESTIONS_REJETEES}


def _lignes(requete: sql.Composable) -> list[tuple]:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        return cursor.execute(requete).fetchall()


RECHERCHES_JOURS = 7  # the assistant's searches counted over the 7 days ending on the snapshot's day


def statistiques_recherches(*, jour: dt.date) -> list[Figure]:
    """The assistant's searches of the 7 days ending on `jour` (local time), and those that found
    nothing (what staff add synonyms or products for). Counts only: the texts stay in the back office."""
    from geoapp.assistant.models import Recherche

    qs = Recherche.objects.filter(cree_le__date__gt=jour - dt.timedelta(days=RECHERCHES_JOURS), cree_le__date__lte=jour)
    compte = qs.aggregate(total=Count("id"), sans=Count("id", filter=Q(nombre_resultats=0)))
    return [(str(Indicateur.RECHERCHES), "", float(compte["total"])),
            (str(Indicateur.RECHERCHES_SANS_RESULTAT), "", float(compte["sans"]))]


def statistiques_comptages(*, jour: dt.date | None = None) -> list[Figure]:
    """The cheap figures (the daily snapshot): counts per source, action, sous-catégorie, type and
    département, the shares with a SIRET / a precise geocoding / stacked coordinates, suggestions,
    the assistant's searches of the week ending on `jour` (today by default)."""
    figures: list[Figure] = []
    for indicateur, colonne in ((Indicateur.PAR_SOURCE, "sources"), (Indicateur.PAR_ACTION, "actions"),
                                (Indicateur.PAR_SOUS_CATEGORIE, "sous_categories")):
        figures += [(indicateur, cle, n) for cle, n in _lignes(_PAR_CODE_TABLEAU.format(col=sql.Identifier(colonne)))]
    figures += [(Indicateur.PAR_TYPE, cle, n) for cle, n in _lignes(_PAR_TYPE)]
    figures += [(Indicateur.PAR_DEPARTEMENT, cle, n) for cle, n in _lignes(_PAR_DEPARTEMENT)]
    total, siret, precis, empiles = _lignes(_PARTS)[0]
    figures.append((Indicateur.ACTEURS, "", total))
    if total:
        figures += [(Indicateur.PART_SIRET, "", siret / total), (Indicateur.PART_GEOCODAGE_PRECIS, "", precis / total),
                    (Indicateur.PART_COORDONNEES_EMPILEES, "", empiles / total)]
    statuts = sql.Literal(list(SUGGESTIONS_STATUTS))
    figures += [(SUGGESTIONS_STATUTS[statut], source, n)
                for source, statut, n in _lignes(_SUGGESTIONS.format(statuts=statuts))]
    figures += statistiques_recherches(jour=jour or timezone.localdate())
    return [(str(i), c, float(v)) for i, c, v in figures]


def statistiques_distances() -> list[Figure]:
    """Per action offered, the population-weighted median distance (m) from a commune to the nearest
    displayed acteur offering it (the weekly snapshot)."""
    return [(str(Indicateur.DISTANCE_MEDIANE), code, float(m)) for code, m in _lignes(_DISTANCE_MEDIANE)
            if m is not None]


# --- the snapshots kept -----------------------------------------------------------------------------

@dataclass
class Serie:
    indicateur: str
    libelle: str
    valeurs: list[tuple[str, float]]  # (key, value), largest first


def releve_dernier() -> ReleveStatistique | None:
    return ReleveStatistique.objects.order_by("-jour").first()


def releve_series(*, releve: ReleveStatistique) -> dict[str, Serie]:
    par_indicateur: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for indicateur, cle, valeur in releve.valeurs.values_list("indicateur", "cle", "valeur"):
        par_indicateur[indicateur].append((cle, valeur))
    return {i: Serie(i, Indicateur(i).label, sorted(v, key=lambda kv: (-kv[1], kv[0])))
            for i, v in par_indicateur.items()}


def evolution(*, indicateurs: list[str], cle: str = "") -> list[tuple]:
    """(jour, {indicator: value}) for every snapshot, oldest first."""
    par_jour: dict = defaultdict(dict)
    for jour, indicateur, valeur in (ValeurStatistique.objects.filter(indicateur__in=indicateurs, cle=cle)
                                     .values_list("releve__jour", "indicateur", "valeur")):
        par_jour[jour][indicateur] = valeur
    return sorted(par_jour.items())


_DEPARTEMENTS_CARTE = sql.SQL(
    "SELECT d.code, d.nom, ST_AsSVG(ST_SimplifyPreserveTopology(d.geom, 0.02), 0, 2), "
    "(SELECT sum(population) FROM territoires_commune c WHERE c.departement = d.code "
    "AND c.type = 'commune') FROM territoires_departement d WHERE d.geom IS NOT NULL AND d.code NOT LIKE '97%' "
    "ORDER BY d.code")
_DEPARTEMENTS_ETENDUE = sql.SQL(
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry AS e "
    "FROM territoires_departement WHERE geom IS NOT NULL AND code NOT LIKE '97%') x")


def departements_contours() -> tuple[list[tuple], tuple | None]:
    """Metropolitan départements as SVG paths (PostGIS `ST_AsSVG`: y already flipped), with their
    population, and their extent."""
    return _lignes(_DEPARTEMENTS_CARTE), (_lignes(_DEPARTEMENTS_ETENDUE) or [None])[0]
