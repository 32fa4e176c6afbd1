"""Client of the BAN geocoding API protocol: `/search/` (one address) and `/search/csv/` (batch),
as served by the public service (Géoplateforme, ex api-adresse.data.gouv.fr) and by a self-hosted
addok. Timeouts on every call; network failures and 5xx / 429 retried with a growing delay (or what
`Retry-After` asks) by the shared plumbing of `geoapp.common.http`."""

from __future__ import annotations

import csv
import io

import httpx

from geoapp.common.http import STATUTS_TRANSITOIRES, client_http, essais_politique, tentatives

from .resultats import Resultat, resultat_depuis_colonnes, resultat_depuis_feature


class BanApiError(Exception):
    pass


class GeocodeurBanApi:
    nom = "ban_api"

    def __init__(self, *, base_url: str, timeout: float = 10.0, essais: int = 3, pause: float = 0.5,
                 debit_par_hote: float = 0.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.essais = essais
        # the batch endpoint is a POST that only reads: retried like the GETs
        self.client = client_http(timeout=httpx.Timeout(timeout, connect=5.0), transport=transport,
                                  essais=essais_politique(essais=essais, pause=pause, methodes=("GET", "POST")),
                                  debit_par_hote=debit_par_hote, headers={"User-Agent": "circulaire-geocodage/1"})

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self.client.request(method, f"{self.base_url}{path}", **kwargs)
        if response.status_code in STATUTS_TRANSITOIRES:
            raise BanApiError(f"{path}: HTTP {response.status_code} after {tentatives(response)} attempts")
        if response.status_code >= 400:
            raise BanApiError(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
        return response

    def rechercher(self, *, q: str, limit: int = 5) -> list[Resultat]:
        response = self._request("GET", "/search/", params={"q": q, "limit": limit})
        return [resultat_depuis_feature(f) for f in response.json().get("features", [])]

    def geocoder_tableau(self, *, lignes: list[dict[str, str]], colonnes: list[str],
                         colonne_code_postal: str | None = None) -> list[dict[str, str]]:
        """Batch geocoding of table rows: the columns `colonnes` make the address; the answer is
        each row with the result_* columns appended, in order."""
        if not lignes:
            return []
        fieldnames = list(lignes[0])
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(lignes)
        data: dict[str, str | list[str]] = {"columns": list(colonnes)}
        if colonne_code_postal:
            data["postcode"] = colonne_code_postal
        response = self._request("POST", "/search/csv/", data=data,
                                 files={"data": ("adresses.csv", buffer.getvalue().encode("utf-8"), "text/csv")})
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        if len(rows) != len(lignes):
            raise BanApiError(f"/search/csv/: {len(rows)} rows answered for {len(lignes)} sent")
        return rows

    def geocoder_lot(self, *, adresses: list[str]) -> list[Resultat | None]:
        rows = self.geocoder_tableau(lignes=[{"adresse": a} for a in adresses], colonnes=["adresse"])
        return [resultat_depuis_colonnes(r) for r in rows]

    def close(self) -> None:
        self.client.close()
