"""One geocoder interface, two backends: the offline geocoder over the cloned BAN (selectors.py)
and a client of the BAN geocoding API protocol (ban_api.py: the public service or an addok)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol


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


class Geocodeur(Protocol):
    nom: str

    def rechercher(self, *, q: str, limit: int = 5) -> list[Resultat]:
        """The best `limit` answers for a free-text address, best first; [] if none is credible."""

    def geocoder_lot(self, *, adresses: list[str]) -> list[Resultat | None]:
        """The best answer for each address (None when there is none), in order."""


def geocodeur_par_defaut() -> Geocodeur:
    from django.conf import settings

    if settings.GEOCODAGE_BACKEND == "ban_api":
        from .ban_api import GeocodeurBanApi

        return GeocodeurBanApi(base_url=settings.BAN_API_URL, timeout=settings.BAN_API_TIMEOUT)
    from .selectors import GeocodeurHorsLigne

    return GeocodeurHorsLigne()
