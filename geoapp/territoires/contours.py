"""Pure reading of the bundled administrative files into rows (no database)."""

from __future__ import annotations

import json
from pathlib import Path

DECOUPAGE = "decoupage-administratif-6.0.0"
DEPARTEMENTS_CONTOURS = "france-geojson-2018_departements-version-simplifiee.geojson"
COMMUNES_CONTOURS_GLOB = "france-geojson-2018_communes-*.geojson"
ARRONDISSEMENTS_PARIS = "paris-arrondissements-municipaux.geojson"
# the communes kept from decoupage-administratif (its `type`) → `Commune.type`
TYPES_COMMUNE = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement_municipal"}
ARRONDISSEMENT = "arrondissement-municipal"


def _features(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["features"] if data.get("type") == "FeatureCollection" else [data]


def departement_rows(geo_dir: Path) -> list[dict]:
    contours = {f["properties"]["code"]: f["geometry"] for f in _features(geo_dir / DEPARTEMENTS_CONTOURS)}
    rows = []
    for d in json.loads((geo_dir / DECOUPAGE / "departements.json").read_text(encoding="utf-8")):
        geometry = contours.get(d["code"])
        rows.append({"code": d["code"], "nom": d["nom"], "region": d.get("region", ""),
                     "geojson": json.dumps(geometry) if geometry else None})
    return rows


def commune_contours(geo_dir: Path) -> dict[str, dict]:
    """INSEE code → GeoJSON geometry, from the france-geojson files and Paris's arrondissements."""
    contours: dict[str, dict] = {}
    for path in sorted(geo_dir.glob(COMMUNES_CONTOURS_GLOB)):
        for f in _features(path):
            contours[str(f["properties"]["code"])] = f["geometry"]
    for f in _features(geo_dir / ARRONDISSEMENTS_PARIS):
        contours[str(f["properties"]["c_arinsee"])] = f["geometry"]
    return contours


def commune_rows(geo_dir: Path) -> list[dict]:
    contours = commune_contours(geo_dir)
    epci_of = {m["code"]: e["code"] for e in epci_records(geo_dir) for m in e["membres"]}
    rows = []
    for c in json.loads((geo_dir / DECOUPAGE / "communes.json").read_text(encoding="utf-8")):
        if c["type"] not in TYPES_COMMUNE:
            continue
        arrondissement = c["type"] == ARRONDISSEMENT
        geometry = contours.get(c["code"])
        rows.append({
            "code": c["code"],
            "nom": c["nom"],
            "type": TYPES_COMMUNE[c["type"]],
            "commune_parente": c.get("commune", "") if arrondissement else "",
            "departement": c.get("departement", ""),
            "epci_id": epci_of.get(c.get("commune") if arrondissement else c["code"]),
            "codes_postaux": sorted(c.get("codesPostaux", [])),
            "population": c.get("population"),
            "geojson": json.dumps(geometry) if geometry else None,
        })
    return rows


def epci_records(geo_dir: Path) -> list[dict]:
    return json.loads((geo_dir / DECOUPAGE / "epci.json").read_text(encoding="utf-8"))


def epci_rows(geo_dir: Path) -> list[dict]:
    return [{"code": e["code"], "nom": e["nom"], "type": e.get("type", ""), "population": e.get("populationTotale")}
            for e in epci_records(geo_dir)]
