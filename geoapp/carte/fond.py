"""The map's background drawn from the bundled contours (départements, communes, Paris
arrondissements) with their names, as Mapbox vector tiles: the demo and the tests never ask a tile
server on the internet (production sets MAP_TILES_URL to the IGN's Plan IGN, `settings/base.py`).

Layers: `departements` (polygons, every zoom), `communes` (polygons from FOND_COMMUNES_MIN_ZOOM:
communes and arrondissements municipaux, not the parent commune of arrondissements), `noms`
(points on surface with `nom` and `niveau`: département up to zoom 9, commune from 10,
arrondissement from 11; drawn by `carte.js`). A tile's bytes are kept per territories table
(its oid: `table_swap` makes a new one), so a new import of the contours shows at once."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db import connection

from geoapp.territoires.models import Commune, Departement

FOND_COMMUNES_MIN_ZOOM = 9
NOMS_ZOOMS = {"departement": (5, 9), "commune": (10, 22), "arrondissement": (11, 22)}
EXTENT = 4096
FOND_MEMOIRE_TUILES = 2000  # tiles kept by a web process

# named pieces of the tile's statement
_ENVELOPPE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
_ENVELOPPE_4326 = "ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 0.015625), 4326)"
# the contour in 3857, simplified to a quarter of a tile pixel of this zoom
_CONTOUR = f"ST_SimplifyPreserveTopology(ST_Transform(t.geom, 3857), 40075016.68 / 2 ^ %(z)s / {EXTENT})"
_PARENTS = f"SELECT DISTINCT commune_parente FROM {Commune._meta.db_table} WHERE commune_parente <> ''"
_DEPARTEMENTS = f"""
  SELECT 'departements' AS couche, t.code, t.nom, {_CONTOUR} AS geom FROM {Departement._meta.db_table} t
  WHERE t.geom && {_ENVELOPPE_4326}"""
_COMMUNES = f"""
  SELECT 'communes', t.code, t.nom, {_CONTOUR} FROM {Commune._meta.db_table} t
  WHERE %(z)s >= {FOND_COMMUNES_MIN_ZOOM} AND t.geom && {_ENVELOPPE_4326} AND t.code NOT IN ({_PARENTS})"""
_NOMS = f"""
  SELECT 'noms', n.code, n.nom, n.niveau, ST_Transform(ST_PointOnSurface(n.geom), 3857) AS geom FROM (
    SELECT t.code, t.nom, 'departement' AS niveau, t.geom FROM {Departement._meta.db_table} t
    WHERE %(z)s BETWEEN {NOMS_ZOOMS['departement'][0]} AND {NOMS_ZOOMS['departement'][1]}
      AND t.geom && {_ENVELOPPE_4326}
    UNION ALL
    SELECT t.code, t.nom, CASE WHEN t.type = 'arrondissement_municipal' THEN 'arrondissement' ELSE 'commune' END,
           t.geom FROM {Commune._meta.db_table} t
    WHERE %(z)s >= {NOMS_ZOOMS['commune'][0]} AND t.geom && {_ENVELOPPE_4326} AND t.code NOT IN ({_PARENTS})
      AND (t.type <> 'arrondissement_municipal' OR %(z)s >= {NOMS_ZOOMS['arrondissement'][0]})) n"""
_TUILE = f"""
WITH contours AS ({_DEPARTEMENTS} UNION ALL {_COMMUNES}),
polygones AS (
  SELECT couche, code, nom, ST_AsMVTGeom(geom, {_ENVELOPPE}, {EXTENT}, 64, true) AS geom FROM contours),
noms AS (
  SELECT code, nom, niveau, ST_AsMVTGeom(geom, {_ENVELOPPE}, {EXTENT}, 0, true) AS geom FROM ({_NOMS}) p)
SELECT
  (SELECT COALESCE(ST_AsMVT(p.*, 'departements', {EXTENT}, 'geom'), '') FROM
     (SELECT code, nom, geom FROM polygones WHERE couche = 'departements' AND geom IS NOT NULL) p)
  || (SELECT COALESCE(ST_AsMVT(p.*, 'communes', {EXTENT}, 'geom'), '') FROM
     (SELECT code, nom, geom FROM polygones WHERE couche = 'communes' AND geom IS NOT NULL) p)
  || (SELECT COALESCE(ST_AsMVT(p.*, 'noms', {EXTENT}, 'geom'), '') FROM
     (SELECT code, nom, niveau, geom FROM noms WHERE geom IS NOT NULL) p)"""
_VERSION = (f"SELECT '{Departement._meta.db_table}'::regclass::oid || '.' || "
            f"'{Commune._meta.db_table}'::regclass::oid")

_memoire: OrderedDict[tuple, bytes] = OrderedDict()
_verrou = threading.Lock()


def fond_version() -> str:
    """What the background's tiles are drawn from: the oids of the territories' tables."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION)
        return cursor.fetchone()[0]


def fond_tuile(*, z: int, x: int, y: int, version: str) -> bytes:
    """The background's vector tile z/x/y (possibly empty), kept in this process's memory."""
    cle = (version, z, x, y)
    with _verrou:
        if cle in _memoire:
            _memoire.move_to_end(cle)
            return _memoire[cle]
    with connection.cursor() as cursor:
        cursor.execute(_TUILE, {"z": z, "x": x, "y": y})
        tuile = bytes(cursor.fetchone()[0] or b"")
    with _verrou:
        _memoire[cle] = tuile
        while len(_memoire) > FOND_MEMOIRE_TUILES:
            _memoire.popitem(last=False)
    return tuile
