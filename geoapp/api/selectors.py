"""Reads of the public API: the displayed acteurs searched (nearest first on the GiST index,
bbox, contour, codes), their vector tiles, communes. Only `DisplayedActeur` is read."""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import MultiPolygon
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Length

import mercantile

from geoapp.acteurs.displayed import CLUSTER_CELLS_PER_TILE, CLUSTER_MAX_ZOOM
from geoapp.acteurs import models as acteurs_models
from geoapp.acteurs.models import DisplayedActeur, DisplayedActeurCluster
from geoapp.common.mercator import CIRCONFERENCE_TERRE_M, LATITUDE_MAX, RAYON_M
from geoapp.common.replique import ALIAS_PRIMAIRE, lecture_connexion
from geoapp.territoires.models import Commune, Epci

from .filters import CODE_FILTERS, ActeurRecherche, ParametreInvalide, filter_sql
from .models import TuileCache

TABLE = DisplayedActeur._meta.db_table


COLUMNS = "d.identifiant_unique, d.nom, d.feature"


# --- The lookups of a parsed search ------------------------------------------------------------


def _codes_inconnus(*, model: type, codes: list[str]) -> list[str]:
    if not codes:
        return []
    known = set(model.objects.filter(pk__in=codes).values_list("pk", flat=True))
    return [c for c in codes if c not in known]


def acteur_recherche_verifier(*, recherche: ActeurRecherche) -> ActeurRecherche:
    """The search parsed by `filters.acteur_recherche_parse`, its commune, EPCI and codes looked
    up: an unknown one raises `ParametreInvalide` naming its parameter; the commune's contours are
    filled in (its own, or those of its arrondissements for Paris, Lyon and Marseille)."""
    if recherche.commune:
        with lecture_connexion().cursor() as cursor:  # one query for a commune with its own contour (most)
            cursor.execute(f"SELECT geom IS NOT NULL FROM {Commune._meta.db_table} WHERE code = %s",
                           [recherche.commune])
            row = cursor.fetchone()
        if row is None:
            raise ParametreInvalide("commune", f"commune inconnue : code INSEE « {recherche.commune} »")
        recherche.commune_contours = [recherche.commune] if row[0] else list(
            Commune.objects.filter(commune_parente=recherche.commune, geom__isnull=False)
            .values_list("code", flat=True))
    if recherche.epci and not Epci.objects.filter(code=recherche.epci).exists():
        raise ParametreInvalide("epci", f"EPCI inconnu : SIREN « {recherche.epci} »")
    for name, (model, column) in CODE_FILTERS.items():
        if unknown := _codes_inconnus(model=model, codes=recherche.codes.get(column, [])):
            raise ParametreInvalide(name, f"code inconnu : {', '.join(unknown)}")
    if unknown := _codes_inconnus(model=acteurs_models.ActeurType, codes=recherche.acteur_type):
        raise ParametreInvalide("acteur_type", f"code inconnu : {', '.join(unknown)}")
    return recherche


def _centre_sql(recherche: ActeurRecherche) -> tuple[str, list] | None:
    """The 3857 point a search without `near` is ordered from, nearest first: the centre of the
    `in_bbox` box in Web Mercator (the middle of the map view), else a point on the surface of the
    commune's contour (its arrondissements' for Paris, Lyon, Marseille), else of the EPCI's; None
    without any of them (the search is then ordered by name)."""
    if recherche.in_bbox:
        minlon, minlat, maxlon, maxlat = recherche.in_bbox
        clip = lambda v: max(-LATITUDE_MAX, min(LATITUDE_MAX, v))  # noqa: E731
        return ("ST_Centroid(ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 3857))",
                [minlon, clip(minlat), maxlon, clip(maxlat)])
    for table, codes in ((Commune._meta.db_table, recherche.commune_contours if recherche.commune else None),
                         (Epci._meta.db_table, [recherche.epci] if recherche.epci else None)):
        if codes is not None:  # an InitPlan: computed once, a constant for the index walk
            return (f"(SELECT ST_Transform(ST_PointOnSurface(ST_Collect(t.geom)), 3857) FROM {table} t "
                    "WHERE t.code = ANY(%s) AND t.geom IS NOT NULL)", [codes])
    return None


def _search_sql(recherche: ActeurRecherche, *, select: str, offset: int, limit: int) -> tuple[str, list]:
    """One page of displayed acteurs. With `near`: within `dist` metres, nearest first by sphere
    distance (`distance_m`; `_near_sql`: found on the 3857 GiST index, exactly sorted); with `in_bbox`,
    `commune` or `epci`: nearest first to their centre (`_centre_sql`, Web Mercator distance, by
    `<->` on the 3857 GiST index: no `distance_m`); otherwise by name. Ties by identifiant_unique.
    `select` may use `distance_m`, `feature`, `nom` and `identifiant_unique` (only they are read:
    a narrow row for the sort). Fetches `limit + 1` rows: one more tells there is a next page."""
    where, params = filter_sql(recherche)
    if recherche.near:
        return _near_sql(recherche, where, params, select=select, offset=offset, limit=limit)
    if (centre := _centre_sql(recherche)) is not None:
        centre_sql, centre_params = centre
        sql = (f"SELECT {select} FROM (SELECT {COLUMNS}, NULL::float AS distance_m, "
               f"d.location_3857 <-> {centre_sql} AS ordre FROM {TABLE} d WHERE {' AND '.join(where)} "
               # the KNN order alone on the indexed 3857 point: the walk stops after `limit + 1` rows
               f"ORDER BY d.location_3857 <-> {centre_sql} "
               "LIMIT %s OFFSET %s) d ORDER BY d.ordre, d.identifiant_unique")
        params = [*centre_params, *params, *centre_params, limit + 1, offset]
    else:
        sql = (f"SELECT {select} FROM (SELECT {COLUMNS}, NULL::float AS distance_m FROM {TABLE} d "
               f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY d.nom, d.identifiant_unique "
               "LIMIT %s OFFSET %s) d ORDER BY d.nom, d.identifiant_unique")
        params = [*params, limit + 1, offset]
    return sql, params


# EPSG:3857 is the Mercator projection of the sphere of radius 6378137 m applied to the (lon, lat)
# that `<->` on geography measures on the sphere of radius 6371008.7714 m: its scale at latitude φ
# is exactly MERCATOR_SCALE / cos(φ).
MERCATOR_SCALE = RAYON_M / 6371008.7714
POINT_4326 = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)"


def _near_sql(recherche: ActeurRecherche, where: list[str], params: list, *, select: str, offset: int,
              limit: int) -> tuple[str, list]:
    """`_search_sql` with `near`: the acteurs within `dist` metres (sphere distance, `<->` on
    geography: `distance_m`), nearest first, ties by identifiant_unique, rows `offset` to
    `offset + limit` (one more than the page).

    Walking the planar 3857 GiST index costs far less per node than the geography one (3-D boxes,
    a sphere distance at each leaf), and Mercator only stretches distances (by MERCATOR_SCALE /
    cos(latitude), which hardly varies across the disc), so, in one statement:
    1. the `offset + limit + 1` nearest on the plane (KNN `<->` on location_3857, inside the
       radius' square), and the largest sphere distance D among them: the true
       `offset + limit + 1` nearest are all within D (and within `dist`: R = min(D, dist));
    2. every acteur within R on the sphere is within R × the largest scale over the disc on the
       plane (the disc is convex on the sphere, its geodesics stay in it): those, by the index
       (`ST_DWithin` on location_3857), exactly sorted by sphere distance, then sliced.
    Near the poles (Mercator ends at LATITUDE_MAX) the KNN walks the geography index itself."""
    lon, lat = recherche.near
    point = f"{POINT_4326}::geography"
    # the most poleward latitude of the disc (1° of latitude is 111.2 km on the sphere)
    poleward = abs(lat) + recherche.dist / 111_000 + 0.01
    if poleward < LATITUDE_MAX:
        scale = MERCATOR_SCALE / math.cos(math.radians(poleward)) * 1.001  # a margin for rounding
        plane = f"ST_Transform({POINT_4326}, 3857)"
        filters = "".join(" AND " + w for w in where)
        # the radius as a square on the indexed 3857 point, whose selectivity PostgreSQL estimates
        # well: it walks the KNN index and stops after `offset + limit + 1` rows where acteurs are dense
        sql = (f"SELECT {select} FROM (SELECT {COLUMNS}, d.location <-> {point} AS distance_m FROM {TABLE} d "
               f"WHERE ST_DWithin(d.location_3857, {plane}, "
               f"(SELECT LEAST(max(k.distance_m), %s) * %s FROM (SELECT d.location <-> {point} AS distance_m "
               f"FROM {TABLE} d WHERE d.location_3857 && ST_Expand({plane}, %s){filters} "
               f"ORDER BY d.location_3857 <-> {plane} LIMIT %s) k)){filters}) d "
               "WHERE d.distance_m <= %s ORDER BY d.distance_m, d.identifiant_unique LIMIT %s OFFSET %s")
        params = [lon, lat, lon, lat, recherche.dist, scale, lon, lat, lon, lat, recherche.dist * scale, *params,
                  lon, lat, offset + limit + 1, *params, recherche.dist, limit + 1, offset]
        return sql, params
    # near the poles Mercator has no square: the radius itself, and the KNN order alone (a second
    # sort key would keep the index from giving the order); a page is a slice of the nearest-first
    # order, so slicing before the exact radius gives the same pages as after it
    sql = (f"SELECT {select} FROM (SELECT {COLUMNS}, d.location <-> {point} AS distance_m FROM {TABLE} d "
           f"WHERE {' AND '.join([f'ST_DWithin(d.location, {point}, %s, false)', *where])} "
           f"ORDER BY d.location <-> {point} "
           "LIMIT %s OFFSET %s) d WHERE d.distance_m <= %s ORDER BY d.distance_m, d.identifiant_unique")
    params = [lon, lat, lon, lat, recherche.dist, *params, lon, lat, limit + 1, offset, recherche.dist]
    return sql, params


@dataclasses.dataclass(frozen=True)
class FeatureCollection:
    texte: str  # the GeoJSON FeatureCollection
    nombre: int  # features in it


def _json_value(value: str | int | None) -> str:
    return json.dumps(value, ensure_ascii=False)  # as PostgreSQL's json_build_object writes it


def acteur_search_geojson(*, recherche: ActeurRecherche, page: int, limit: int, next_url: str,
                          previous_url: str | None) -> FeatureCollection:
    """Page `page` (from 1) as a whole GeoJSON FeatureCollection: features (coordinates to 6
    decimals, `distance_m` to the decimetre with `near`) in the search's order, `next` (`next_url`
    when a further page exists, else null), `previous`, `page`, `limit`. Each feature is the text
    stored with the displayed acteur at publication (`DisplayedActeur.feature`, written by
    PostgreSQL's json_build_object), `distance_m` spliced in before its closing braces: a page is a
    concatenation of at most `limit` strings, laid out as json_build_object / json_agg write them."""
    if recherche.near:
        feature = "left(d.feature, -2) || ', \"distance_m\" : ' || round(d.distance_m::numeric, 1) || '}}'"
    else:
        feature = "d.feature"
    sql, params = _search_sql(recherche, select=feature, offset=(page - 1) * limit, limit=limit)
    with lecture_connexion().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()  # `limit + 1` rows are read: the last one only tells that a next page exists
    nombre = min(len(rows), limit)
    texte = "".join((
        '{"type" : "FeatureCollection", "features" : [', ", ".join([f for (f,) in rows[:limit]]),
        '], "next" : ', _json_value(next_url if len(rows) > limit else None),
        ', "previous" : ', _json_value(previous_url), ', "page" : ', str(int(page)),
        ', "limit" : ', str(int(limit)), "}"))
    return FeatureCollection(texte=texte, nombre=nombre)


def displayed_acteur_by_uuid(*, uuid: str) -> DisplayedActeur | None:
    return DisplayedActeur.objects.filter(uuid=uuid).first()


# --- Vector tiles -----------------------------------------------------------------------------

TUILE_ETENDUE = 4096


def tuile_valide(*, z: int, x: int, y: int) -> bool:
    return 0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z


def acteur_tuile(*, z: int, x: int, y: int, recherche: ActeurRecherche) -> bytes:
    """A Mapbox vector tile (layer `acteurs`). At zoom <= CLUSTER_MAX_ZOOM without filters: the
    precomputed groups (`nombre` acteurs around each point); with filters, groups computed on the
    fly on the same grid. Beyond: one point per acteur with its uuid, name and main group. Every
    query compares the indexed 3857 point with the tile's envelope (no cast: the index is used)."""
    where, params = filter_sql(recherche)
    if recherche.near:
        lon, lat = recherche.near
        where.append("ST_DWithin(d.location, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s, false)")
        params += [lon, lat, recherche.dist]
    envelope = "ST_TileEnvelope(%s, %s, %s)"
    # a margin of 64/4096 of the tile so that symbols on the edges are not cut
    margin = "ST_TileEnvelope(%s, %s, %s, margin => 0.015625)"
    if z <= CLUSTER_MAX_ZOOM and not where:
        sql = f"""
WITH mvtgeom AS (
  SELECT ST_AsMVTGeom(c.geom, {envelope}, {TUILE_ETENDUE}, 64, true) AS geom, c.nombre, c.groupe_action
  FROM {DisplayedActeurCluster._meta.db_table} c
  WHERE c.zoom = {int(z)} AND c.geom && {margin})
SELECT ST_AsMVT(mvtgeom.*, 'acteurs', {TUILE_ETENDUE}, 'geom') FROM mvtgeom"""  # a literal zoom: its partial index
        params = [z, x, y, z, x, y]
    elif z <= CLUSTER_MAX_ZOOM:
        cell = CIRCONFERENCE_TERRE_M / 2**z / CLUSTER_CELLS_PER_TILE
        sql = f"""
WITH g AS (
  SELECT ST_SetSRID(ST_MakePoint(avg(ST_X(d.location_3857)), avg(ST_Y(d.location_3857))), 3857) AS geom,
         count(*)::int AS nombre, COALESCE(mode() WITHIN GROUP (ORDER BY d.groupes_actions[1]), '') AS groupe_action
  FROM {TABLE} d WHERE d.location_3857 && {margin} AND {' AND '.join(where)}
  GROUP BY floor(ST_X(d.location_3857) / %s), floor(ST_Y(d.location_3857) / %s)),
mvtgeom AS (SELECT ST_AsMVTGeom(g.geom, {envelope}, {TUILE_ETENDUE}, 64, true) AS geom, nombre, groupe_action FROM g)
SELECT ST_AsMVT(mvtgeom.*, 'acteurs', {TUILE_ETENDUE}, 'geom') FROM mvtgeom"""
        params = [z, x, y, *params, cell, cell, z, x, y]
    else:
        sql = f"""
WITH mvtgeom AS (
  SELECT ST_AsMVTGeom(d.location_3857, {envelope}, {TUILE_ETENDUE}, 64, true) AS geom,
         d.uuid, d.nom, 1 AS nombre, COALESCE(d.groupes_actions[1], '') AS groupe_action
  FROM {TABLE} d WHERE d.location_3857 && {margin}{''.join(' AND ' + w for w in where)})
SELECT ST_AsMVT(mvtgeom.*, 'acteurs', {TUILE_ETENDUE}, 'geom') FROM mvtgeom"""
        params = [z, x, y, z, x, y, *params]
    with lecture_connexion().cursor() as cursor:
        cursor.execute(sql, params)
        tile = cursor.fetchone()[0]
    return bytes(tile) if tile is not None else b""


# --- The tile cache --------------------------------------------------------------------------

# What a cached tile was computed from: the published version of the displayed acteurs and the
# tile-cluster table swapped in with it (a new table, a new oid: a clusters refresh outside a
# publication, as the benchmark's generator and the tests do, changes the generation too).
TUILE_GENERATION_SQL = (
    "'v' || COALESCE(substring(obj_description('{displayed}'::regclass, 'pg_class') FROM '^version ([0-9]+)$'), '0')"
    " || '.' || '{clusters}'::regclass::oid"
).format(displayed=TABLE, clusters=DisplayedActeurCluster._meta.db_table)


def tuile_cache_cle(*, z: int, x: int, y: int, recherche: ActeurRecherche) -> str:
    """`z/x/y`, then the filters normalised (codes sorted: `a,b` and `b,a` are the same tile)."""
    if recherche == ActeurRecherche():
        return f"{z}/{x}/{y}"
    filtres = dataclasses.asdict(recherche)
    filtres.pop("commune_contours")  # derived from `commune`
    if recherche.near is None:
        filtres.pop("dist")
    filtres["codes"] = {column: sorted(set(codes)) for column, codes in recherche.codes.items()}
    filtres["acteur_type"] = sorted(set(recherche.acteur_type))
    return f"{z}/{x}/{y}?" + json.dumps(filtres, sort_keys=True, separators=(",", ":"))


TUILE_SURCOUT_OCTETS = 200  # what an entry of the memory costs beyond its bytes and key (dict slot, objects)


class TuilesMemoire:
    """The tiles a web server process served lately (least recently used dropped past `max_bytes`),
    keyed by generation and cache key: a hit costs no database round trip. Each entry weighs its
    bytes, its key and TUILE_SURCOUT_OCTETS (an empty tile too: requests for any number of empty
    or filtered tiles cannot grow it past `max_bytes`). Shared by the threads of a gthread worker:
    one lock."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size, self.tiles = max_bytes, 0, OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self.lock:
            tile = self.tiles.get(key)
            if tile is not None:
                self.tiles.move_to_end(key)
            return tile

    @staticmethod
    def poids(key: tuple[str, str], tile: bytes) -> int:
        return len(tile) + len(key[0]) + len(key[1]) + TUILE_SURCOUT_OCTETS

    def put(self, key: tuple[str, str], tile: bytes) -> None:
        if self.poids(key, tile) > self.max_bytes // 10:
            return
        with self.lock:
            old = self.tiles.pop(key, None)
            self.size += self.poids(key, tile) - (self.poids(key, old) if old is not None else 0)
            self.tiles[key] = tile
            while self.size > self.max_bytes:
                self.size -= self.poids(*self.tiles.popitem(last=False))

    def clear(self) -> None:
        with self.lock:
            self.tiles.clear()
            self.size = 0


TUILES_MEMOIRE = TuilesMemoire(max_bytes=settings.API_TILE_MEMORY_BYTES)
_generation: list = [0.0, ""]  # [monotonic time read, generation]


def tuile_generation(*, max_age_s: float = 0.0) -> str:
    """The current generation; read again from the database when older than `max_age_s` seconds
    in this process (a publication in this process forgets it at once: `tuile_generation_oublier`)."""
    now = time.monotonic()
    if not _generation[1] or now - _generation[0] >= max_age_s:
        with lecture_connexion().cursor() as cursor:
            cursor.execute(f"SELECT {TUILE_GENERATION_SQL}")
            _generation[:] = [now, cursor.fetchone()[0]]
    return _generation[1]


def tuile_generation_oublier() -> None:
    _generation[:] = [0.0, ""]
    TUILES_MEMOIRE.clear()


def tuile_partagee(*, z: int, recherche: ActeurRecherche) -> bool:
    """Whether a tile of zoom `z` with these filters may be in the table shared by the web
    processes (when it is not empty: `services.tuile_partageable`): unfiltered, drawn from the
    precomputed groups (z <= CLUSTER_MAX_ZOOM). Such tiles are as many as the groups at most,
    whatever anonymous clients ask for; any other (filtered, `near` any point, higher zooms) stays in
    each process's bounded memory (`TuilesMemoire`)."""
    return z <= CLUSTER_MAX_ZOOM and recherche == ActeurRecherche()


def tuile_en_cache(*, cle: str, partagee: bool = True) -> tuple[str, bytes | None]:
    """The current generation (at most `API_TILE_GENERATION_MAX_AGE_S` old), and the tile cached
    under `cle` for it (None: not cached): from this process's memory, else (`partagee`: it may be
    there, see `tuile_partagee`) from the shared table."""
    generation = tuile_generation(max_age_s=settings.API_TILE_GENERATION_MAX_AGE_S)
    tile = TUILES_MEMOIRE.get((generation, cle))
    if tile is None and partagee:
        # on the primary: an UNLOGGED table is not replicated (a standby cannot read it)
        row = (TuileCache.objects.using(ALIAS_PRIMAIRE).filter(cle=cle, generation=generation)
               .values_list("tuile", flat=True).first())
        if row is not None:
            tile = bytes(row)
            TUILES_MEMOIRE.put((generation, cle), tile)
    return generation, tile


def tuiles_avec_groupes(*, z_max: int) -> list[tuple[int, int, int]]:
    """The tiles (z, x, y) of zooms 0..z_max that hold at least one group of acteurs: the tile of
    each group's point (mercantile)."""
    with lecture_connexion().cursor() as cursor:
        cursor.execute(
            f"""SELECT c.zoom, ST_X(p.geom), ST_Y(p.geom) FROM {DisplayedActeurCluster._meta.db_table} c
                CROSS JOIN LATERAL ST_Transform(c.geom, 4326) AS p(geom) WHERE c.zoom <= %s""", [z_max])
        groupes = cursor.fetchall()
    return sorted({(z, t.x, t.y) for z, lon, lat in groupes for t in [mercantile.tile(lon, lat, z)]})


# --- Communes ---------------------------------------------------------------------------------


def commune_get(*, code: str) -> Commune | None:
    """A commune with its contour; Paris, Lyon and Marseille without their own take the union of
    their arrondissements'."""
    commune = Commune.objects.filter(code=code).first()
    if commune is not None and commune.geom is None:
        union = Commune.objects.filter(commune_parente=code, geom__isnull=False).aggregate(u=Union("geom"))["u"]
        if union is not None:
            commune.geom = union if union.geom_type == "MultiPolygon" else MultiPolygon(union)
    return commune


def commune_search(*, q: str, limit: int = 10) -> QuerySet[Commune]:
    """By postal code (prefix) when `q` is digits, else by name (accents and case ignored,
    prefix matches first, then similar names), most populated first."""
    q = q.strip()
    qs = Commune.objects.defer("geom")
    if q.isdigit():
        return qs.filter(Q(codes_postaux__contains=[q]) if len(q) == 5 else Q(code__startswith=q)
                         | Q(code=q)).order_by("-population", "code")[:limit]
    return (
        qs.filter(Q(nom__unaccent__istartswith=q) | Q(nom__unaccent__icontains=q))
        .annotate(longueur=Length("nom"))
        .order_by("longueur", "-population", "code")[:limit]
    )


# --- The tiles' archive (PMTiles on object storage) ------------------------------------------

TUILE_MARGE = 64 / TUILE_ETENDUE  # the margin `acteur_tuile` reads around a tile, in tile sides


def tuiles_archive_list(*, z_max: int) -> list[tuple[int, int, int]]:
    """The tiles (z, x, y) of zooms 0..z_max whose unfiltered tile is not empty: those whose
    envelope, with the margin `acteur_tuile` reads, holds a group's point (a group near an edge is
    drawn on both sides). In the PMTiles archive's order (Hilbert tile ids: zoom, then curve)."""
    from pmtiles.tile import zxy_to_tileid

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.zoom, ST_X(c.geom), ST_Y(c.geom) FROM {DisplayedActeurCluster._meta.db_table} c WHERE c.zoom <= %s",
            [z_max])
        groupes = cursor.fetchall()
    tiles = set()
    for z, mx, my in groupes:
        n = 2**z
        # the point's position in tile sides (x from the west, y from the north)
        fx = (mx / CIRCONFERENCE_TERRE_M + 0.5) * n
        fy = (0.5 - my / CIRCONFERENCE_TERRE_M) * n
        for x in range(max(0, math.floor(fx - TUILE_MARGE)), min(n - 1, math.floor(fx + TUILE_MARGE)) + 1):
            for y in range(max(0, math.floor(fy - TUILE_MARGE)), min(n - 1, math.floor(fy + TUILE_MARGE)) + 1):
                tiles.add((z, x, y))
    return sorted(tiles, key=lambda t: zxy_to_tileid(*t))
