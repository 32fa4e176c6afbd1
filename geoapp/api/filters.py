"""The query parameters of the public API, parsed and checked. Any bad parameter raises
`ParametreInvalide` naming it; views turn it into a 400 with a JSON message.

Pure: nothing here reads the database. Whether the codes, the commune and the EPCI exist is
looked up afterwards by `selectors.acteur_recherche_verifier`. (Characters PostgreSQL refuses
never reach this far: `geoapp.common.entrees` answers 400 before any view.)"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings

from geoapp.acteurs import models as acteurs
from geoapp.common.mercator import LATITUDE_MAX
from geoapp.territoires.models import Commune, Epci


class ParametreInvalide(Exception):
    def __init__(self, parametre: str, message: str):
        super().__init__(message)
        self.parametre = parametre
        self.message = message


# parameter -> (referential model, displayed array column)
CODE_FILTERS: dict[str, tuple[type, str]] = {
    "action": (acteurs.Action, "actions"),
    "groupe_action": (acteurs.GroupeAction, "groupes_actions"),
    "sous_categorie": (acteurs.SousCategorieObjet, "sous_categories"),
    "label": (acteurs.LabelQualite, "labels"),
    "source": (acteurs.Source, "sources"),
}
BOOLEANS = {"true": True, "1": True, "oui": True, "false": False, "0": False, "non": False}


@dataclass
class ActeurRecherche:
    """What a client asks for. Codes within a parameter are alternatives; parameters combine."""

    near: tuple[float, float] | None = None
    dist: float = 30000.0
    in_bbox: tuple[float, float, float, float] | None = None
    commune: str | None = None
    commune_contours: list[str] = field(default_factory=list)  # codes whose contours make the commune (looked up)
    epci: str | None = None
    codes: dict[str, list[str]] = field(default_factory=dict)  # displayed array column -> codes
    acteur_type: list[str] = field(default_factory=list)
    bonus_reparation: bool | None = None
    masquer_exclusivite: bool = False


def _values(params, name: str) -> list[str]:
    """`a,b` or `?x=a&x=b` (or both), blanks dropped."""
    return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]


def _float(text: str, parametre: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ParametreInvalide(parametre, f"« {text} » n'est pas un nombre") from None
    if not math.isfinite(value):
        raise ParametreInvalide(parametre, f"« {text} » n'est pas un nombre fini")
    return value


def _check_lon_lat(lon: float, lat: float, parametre: str) -> None:
    if not -180 <= lon <= 180:
        raise ParametreInvalide(parametre, f"longitude {lon} hors de [-180, 180]")
    if not -90 <= lat <= 90:
        raise ParametreInvalide(parametre, f"latitude {lat} hors de [-90, 90]")


def parse_point(text: str, parametre: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise ParametreInvalide(parametre, "attendu : longitude,latitude (ex. 2.35,48.85)")
    lon, lat = (_float(p.strip(), parametre) for p in parts)
    _check_lon_lat(lon, lat, parametre)
    return lon, lat


def parse_bbox(text: str, parametre: str = "in_bbox") -> tuple[float, float, float, float]:
    parts = text.split(",")
    if len(parts) != 4:
        raise ParametreInvalide(parametre, "attendu : minlon,minlat,maxlon,maxlat")
    minlon, minlat, maxlon, maxlat = (_float(p.strip(), parametre) for p in parts)
    _check_lon_lat(minlon, minlat, parametre)
    _check_lon_lat(maxlon, maxlat, parametre)
    if minlon >= maxlon or minlat >= maxlat:
        raise ParametreInvalide(parametre, "boîte inversée ou vide : il faut minlon < maxlon et minlat < maxlat")
    cap = settings.API_BBOX_MAX_DEGREES
    if maxlon - minlon > cap or maxlat - minlat > cap:
        raise ParametreInvalide(parametre, f"boîte trop grande : {cap}° au plus de côté")
    return minlon, minlat, maxlon, maxlat


def parse_bool(params, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return BOOLEANS[raw.strip().lower()]
    except KeyError:
        raise ParametreInvalide(name, f"« {raw} » : attendu true ou false") from None


def parse_int(params, name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParametreInvalide(name, f"« {raw} » n'est pas un entier") from None
    if not minimum <= value <= maximum:
        raise ParametreInvalide(name, f"{value} hors de [{minimum}, {maximum}]")
    return value


def acteur_recherche_parse(params) -> ActeurRecherche:
    """The filters shared by the acteurs list and the vector tiles, as written (codes, commune and
    EPCI not looked up: `selectors.acteur_recherche_verifier` does)."""
    r = ActeurRecherche()
    if params.get("near"):
        r.near = parse_point(params["near"], "near")
    if params.get("dist"):
        if r.near is None:
            raise ParametreInvalide("dist", "dist n'a de sens qu'avec near")
        r.dist = _float(params["dist"], "dist")
        if not 0 < r.dist <= settings.API_NEAR_MAX_DIST_M:
            raise ParametreInvalide("dist", f"{r.dist:g} m hors de ]0, {settings.API_NEAR_MAX_DIST_M}] mètres")
    if params.get("in_bbox"):
        r.in_bbox = parse_bbox(params["in_bbox"])
    if params.get("commune"):
        r.commune = params["commune"].strip()
    if params.get("epci"):
        r.epci = params["epci"].strip()
    for name, (_model, column) in CODE_FILTERS.items():
        codes = _values(params, name)
        if codes:
            r.codes[column] = codes
    r.acteur_type = _values(params, "acteur_type")
    r.bonus_reparation = parse_bool(params, "bonus_reparation")
    r.masquer_exclusivite = bool(parse_bool(params, "masquer_exclusivite"))
    return r


def filter_sql(r: ActeurRecherche, *, alias: str = "d") -> tuple[list[str], list]:
    """SQL conditions (and their parameters) on the displayed acteurs table aliased `alias`,
    for everything but `near` (whose ordering is the caller's). Contours are compared exactly
    (`ST_Intersects` on the 4326 geometry: a point on the edge is inside) after a prefilter on the
    indexed 3857 point."""
    where, params = [], []
    for column, codes in r.codes.items():
        where.append(f"{alias}.{column} && %s::varchar[]")
        params.append(codes)
    if r.acteur_type:
        where.append(f"{alias}.acteur_type = ANY(%s)")
        params.append(r.acteur_type)
    if r.bonus_reparation is not None:  # the bonus labels, read once (an InitPlan)
        where.append(f"{'' if r.bonus_reparation else 'NOT '}({alias}.labels && ARRAY(SELECT l.code "
                     f"FROM {acteurs.LabelQualite._meta.db_table} l WHERE l.bonus)::varchar[])")
    if r.masquer_exclusivite:
        where.append(f"{alias}.exclusivite_de_reprisereparation IS NOT TRUE")
    if r.in_bbox:
        # Web Mercator stops at ±85.0511°: a box beyond is clipped (no acteur lives there)
        minlon, minlat, maxlon, maxlat = r.in_bbox
        clip = lambda v: max(-LATITUDE_MAX, min(LATITUDE_MAX, v))  # noqa: E731
        where.append(f"{alias}.location_3857 && ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 3857)")
        params += [minlon, clip(minlat), maxlon, clip(maxlat)]
    for table, codes in ((Commune._meta.db_table, r.commune_contours if r.commune else None),
                         (Epci._meta.db_table, [r.epci] if r.epci else None)):
        if codes is None:
            continue
        # 1. the contour's envelope, computed once (an InitPlan), against the indexed 3857 point;
        # 2. the exact test on the 4326 contour: a point on the edge is inside.
        where.append(
            f"""{alias}.location_3857 && (SELECT ST_Expand(ST_Transform(ST_SetSRID(ST_Extent(t.geom)::geometry,
                 4326), 3857), 1) FROM {table} t WHERE t.code = ANY(%s) AND t.geom IS NOT NULL)
                AND EXISTS (SELECT 1 FROM {table} t WHERE t.code = ANY(%s) AND t.geom IS NOT NULL
                            AND ST_Intersects(t.geom, {alias}.location::geometry))"""
        )
        params += [codes, codes]
    return where, params
