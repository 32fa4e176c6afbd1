"""One geocoder interface, two backends: the offline geocoder over the cloned BAN (selectors.py)
and a client of the BAN geocoding API protocol (ban_api.py: the public service or an addok).
Their answers are `resultats.Resultat`."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from .ban_api import GeocodeurBanApi
from .resultats import Resultat
from .selectors import GeocodeurHorsLigne


class Geocodeur(Protocol):
    nom: str

    def rechercher(self, *, q: str, limit: int = 5) -> list[Resultat]:
        """The best `limit` answers for a free-text address, best first; [] if none is credible."""

    def geocoder_lot(self, *, adresses: list[str]) -> list[Resultat | None]:
        """The best answer for each address (None when there is none), in order."""


def geocodeur_par_defaut() -> Geocodeur:
    if settings.GEOCODAGE_BACKEND == "ban_api":
        return GeocodeurBanApi(base_url=settings.BAN_API_URL, timeout=settings.BAN_API_TIMEOUT)
    return GeocodeurHorsLigne()
