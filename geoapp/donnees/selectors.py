"""Reads of open data: which displayed acteurs are published and how (the export's SQL, composed
with psycopg.sql in named pieces), the latest exports of the registry, and the Table Schema."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from psycopg import sql

from .models import ExportDonnees

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "acteurs.schema.json"

# Licences whose data may be republished as open data (CC BY-NC-SA forbids commercial reuse).
LICENCES_OUVERTES = ("OPEN_LICENSE",)
# Acteurs not published: open to professionals only, or to nobody.
PUBLICS_NON_PUBLIES = ("Professionnels", "Aucun")
# A French mobile number, once everything but digits and "+" is removed ("(0)" first): 06 / 07,
# +33 6 / 7, 0033 6 / 7.
TELEPHONE_MOBILE_REGEX = r"^(0|\+33|0033)[67][0-9]{8}$"
DECIMALES_COORDONNEES = 6
DECIMALES_COORDONNEES_DOMICILE = 2  # ~1 km: an acteur working at home is not pinned on its house


@lru_cache(maxsize=1)
def schema_acteurs() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_champs() -> list[str]:
    return [f["name"] for f in schema_acteurs()["fields"]]


# --- the published rows ---------------------------------------------------------------------------

_SOURCES_OUVERTES = sql.SQL(
    "SELECT coalesce(array_agg(code), '{{}}')::varchar[] AS codes FROM acteurs_source "
    "WHERE licence = ANY({licences}) AND afficher"
).format(licences=sql.Literal(list(LICENCES_OUVERTES)))

_A_DOMICILE = sql.SQL("d.lieu_prestation = 'A_DOMICILE'")

_TELEPHONE_PUBLIE = sql.SQL(
    "CASE WHEN regexp_replace(replace(d.telephone, '(0)', ''), '[^0-9+]', '', 'g') ~ {mobile} THEN '' "
    "ELSE d.telephone END"
).format(mobile=sql.Literal(TELEPHONE_MOBILE_REGEX))


def _coordonnee(fonction: str) -> sql.Composable:
    return sql.SQL("round({f}(d.location::geometry)::numeric, CASE WHEN {dom} THEN {dd} ELSE {d} END)").format(
        f=sql.SQL(fonction), dom=_A_DOMICILE, dd=sql.Literal(DECIMALES_COORDONNEES_DOMICILE),
        d=sql.Literal(DECIMALES_COORDONNEES))


def _sauf_domicile(colonne: str) -> sql.Composable:
    return sql.SQL("CASE WHEN {dom} THEN '' ELSE d.{c} END").format(dom=_A_DOMICILE, c=sql.Identifier(colonne))


# public field → expression over the displayed acteur `d`, its commune `c`, EPCI `e`, open sources `o`;
# arrays stay arrays here (each format writes them its own way)
_COLONNES: dict[str, sql.Composable] = {
    "identifiant": sql.SQL("d.uuid"),
    "nom": sql.SQL("d.nom"),
    "nom_commercial": sql.SQL("d.nom_commercial"),
    "adresse": _sauf_domicile("adresse"),
    "adresse_complement": _sauf_domicile("adresse_complement"),
    "code_postal": sql.SQL("nullif(d.code_postal, '')"),
    "code_commune_insee": sql.SQL("nullif(d.code_commune_insee, '')"),
    "commune": sql.SQL("c.nom"),
    "code_epci": sql.SQL("e.code"),
    "epci": sql.SQL("e.nom"),
    "latitude": _coordonnee("ST_Y"),
    "longitude": _coordonnee("ST_X"),
    "acteur_type": sql.SQL("d.acteur_type"),
    "actions": sql.SQL("to_jsonb(d.actions)"),
    "propositions": sql.SQL("d.propositions"),
    "labels": sql.SQL("to_jsonb(d.labels)"),
    "services": sql.SQL("to_jsonb(d.acteur_services)"),
    "horaires_osm": sql.SQL("d.horaires_osm"),
    "horaires_description": sql.SQL("d.horaires_description"),
    "site_web": sql.SQL("d.url"),
    "telephone": _TELEPHONE_PUBLIE,
    "sources": sql.SQL("to_jsonb(ARRAY(SELECT s FROM unnest(d.sources) s WHERE s = ANY(o.codes) ORDER BY s))"),
    "modifie_le": sql.SQL("d.modifie_le"),
}

_PUBLIES = sql.SQL(
    "d.statut = 'ACTIF' AND d.sources && o.codes AND d.public_accueilli <> ALL({publics})"
).format(publics=sql.Literal(list(PUBLICS_NON_PUBLIES)))


def acteur_ouvert_select_sql() -> sql.Composed:
    """The published acteurs, one row per acteur in the schema's field order (the files sort them
    by identifiant).
    Published: displayed (active) acteurs with at least one source under an open licence (a parent
    of merged duplicates carries its children's sources: it is published when one child's source
    is open), not open to professionals only. Not published: e-mails, SIRET and official names
    (an individual entrepreneur's name), mobile numbers, the address of an acteur working at home
    (its coordinates are rounded to ~1 km)."""
    champs = schema_champs()
    assert set(champs) == set(_COLONNES), "the Table Schema and the export's columns differ"
    return sql.SQL(
        "WITH o AS ({sources}) SELECT {colonnes} FROM acteurs_displayedacteur d CROSS JOIN o "
        "LEFT JOIN territoires_commune c ON c.code = d.code_commune_insee "
        "LEFT JOIN territoires_epci e ON e.code = c.epci_id "
        "WHERE {publies}"
    ).format(
        sources=_SOURCES_OUVERTES,
        colonnes=sql.SQL(", ").join(sql.SQL("{} AS {}").format(_COLONNES[c], sql.Identifier(c)) for c in champs),
        publies=_PUBLIES,
    )


def acteur_ouvert_csv_select_sql(*, table: str) -> sql.Composed:
    """The rows of `table` (made from `acteur_ouvert_select_sql`) as the CSV writes them: arrays as
    JSON text (Table Schema `array`), datetimes in ISO 8601 UTC."""
    def expr(champ: str, type_: str) -> sql.Composable:
        col = sql.Identifier(champ)
        if type_ == "array":
            return sql.SQL("{c}::text").format(c=col)
        if type_ == "datetime":
            return sql.SQL("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')").format(c=col)
        return col
    champs = schema_acteurs()["fields"]
    return sql.SQL("SELECT {cols} FROM {t} ORDER BY identifiant").format(
        cols=sql.SQL(", ").join(sql.SQL("{} AS {}").format(expr(f["name"], f["type"]), sql.Identifier(f["name"]))
                                for f in champs),
        t=sql.Identifier(table))


def acteur_ouvert_geojson_select_sql(*, table: str) -> sql.Composed:
    """One GeoJSON Feature (text, one line) per row of `table`: a Point (WGS 84) or a null geometry,
    the schema's fields as properties, arrays as arrays."""
    champs = schema_acteurs()["fields"]
    props = sql.SQL(", ").join(
        sql.SQL("{k}, {v}").format(
            k=sql.Literal(f["name"]),
            v=(sql.SQL("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
               if f["type"] == "datetime" else sql.SQL("{c}")).format(c=sql.Identifier(f["name"])))
        for f in champs)
    # json_build_object takes at most 100 arguments: 23 pairs fit
    return sql.SQL(
        "SELECT json_build_object('type', 'Feature', 'geometry', CASE WHEN longitude IS NULL THEN NULL ELSE "
        "json_build_object('type', 'Point', 'coordinates', json_build_array(longitude, latitude)) END, "
        "'properties', json_build_object({props}))::text FROM {t} ORDER BY identifiant"
    ).format(props=props, t=sql.Identifier(table))


# --- the registry -------------------------------------------------------------------------------

def export_latest_list() -> list[ExportDonnees]:
    """The files of the latest export day, CSV, GeoJSON, GeoParquet (empty before the first)."""
    dernier = ExportDonnees.objects.order_by("-jour").values_list("jour", flat=True).first()
    if dernier is None:
        return []
    return list(ExportDonnees.objects.filter(jour=dernier).order_by("format"))


def export_latest_get(*, format: str) -> ExportDonnees | None:
    return ExportDonnees.objects.filter(format=format).order_by("-jour").first()
