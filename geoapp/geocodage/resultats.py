"""The answers of a geocoder, in the shapes of the BAN geocoding API: a `Resultat` (the properties
of a GeoJSON feature of `/search/`), the FeatureCollection of `/search/`, and the result_* columns
the batch endpoint `/search/csv/` appends to each row. Shared by both backends, the API view and
the stand-in server (doublures/ban.py); imports nothing of the app."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Resultat:
    """One answer, with the properties of the BAN API's GeoJSON features."""

    label: str
    score: float
    id: str
    type: str  # housenumber | street | locality | municipality
    lon: float
    lat: float
    housenumber: str | None = None
    street: str | None = None
    name: str | None = None
    postcode: str | None = None
    citycode: str | None = None
    city: str | None = None

    def feature(self) -> dict:
        properties = {k: v for k, v in asdict(self).items() if k not in ("lon", "lat") and v is not None}
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
                "properties": properties}


def collection_geojson(*, q: str, limit: int, resultats: list[Resultat]) -> dict:
    """The answer of the BAN API's /search/ for `resultats`."""
    return {"type": "FeatureCollection", "version": "draft", "features": [r.feature() for r in resultats],
            "attribution": "BAN", "licence": "ETALAB-2.0", "query": q, "limit": limit}


def resultat_depuis_feature(feature: dict) -> Resultat:
    """A feature of a BAN API answer (public service or addok) as a Resultat."""
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    return Resultat(
        label=props["label"], score=float(props["score"]), id=str(props.get("id", "")), type=props.get("type", ""),
        lon=float(lon), lat=float(lat), housenumber=props.get("housenumber"), street=props.get("street"),
        name=props.get("name"), postcode=props.get("postcode"), citycode=props.get("citycode"), city=props.get("city"))


# the columns the batch endpoint /search/csv/ appends to each row
COLONNES_RESULTAT_CSV = (
    "latitude", "longitude", "result_label", "result_score", "result_score_next", "result_type", "result_id",
    "result_housenumber", "result_name", "result_street", "result_postcode", "result_city", "result_context",
    "result_citycode", "result_oldcitycode", "result_oldcity", "result_district", "result_status",
)


def colonnes_resultat(meilleur: Resultat | None, suivant: Resultat | None = None) -> dict[str, str]:
    if meilleur is None:
        return {**{c: "" for c in COLONNES_RESULTAT_CSV}, "result_status": "not-found"}
    r = meilleur
    return {
        "latitude": str(r.lat), "longitude": str(r.lon), "result_label": r.label, "result_score": str(r.score),
        "result_score_next": str(suivant.score) if suivant else "", "result_type": r.type, "result_id": r.id,
        "result_housenumber": r.housenumber or "", "result_name": r.name or "", "result_street": r.street or "",
        "result_postcode": r.postcode or "", "result_city": r.city or "", "result_context": "",
        "result_citycode": r.citycode or "", "result_oldcitycode": "", "result_oldcity": "", "result_district": "",
        "result_status": "ok",
    }


def resultat_depuis_colonnes(row: dict[str, str]) -> Resultat | None:
    """A row of a /search/csv/ answer as a Resultat (None when not found)."""
    if not row.get("result_label") or row.get("result_status", "ok") not in ("ok", ""):
        return None
    return Resultat(
        label=row["result_label"], score=float(row["result_score"]), id=row.get("result_id", ""),
        type=row.get("result_type", ""), lon=float(row["longitude"]), lat=float(row["latitude"]),
        housenumber=row.get("result_housenumber") or None, street=row.get("result_street") or None,
        name=row.get("result_name") or None, postcode=row.get("result_postcode") or None,
        citycode=row.get("result_citycode") or None, city=row.get("result_city") or None)
