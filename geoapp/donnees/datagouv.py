"""A client of the data.gouv.fr API (udata, `/api/1`): read a dataset, create or update one of its
remote resources (a file hosted elsewhere, described by its URL, size, checksum and schema).
Authentication: the `X-API-KEY` header. Transient failures (connection, 5xx, 429) raise
`DataGouvIndisponible`, which the flow's task retries; a refusal (4xx) raises `DataGouvErreur`."""

from __future__ import annotations

import httpx


class DataGouvErreur(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class DataGouvIndisponible(DataGouvErreur):
    pass


class ClientDataGouv:
    def __init__(self, *, base_url: str, api_key: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            timeout=timeout, headers={"X-API-KEY": api_key, "Accept": "application/json"},
            transport=httpx.HTTPTransport(retries=2),  # connection failures only
        )

    def __enter__(self) -> "ClientDataGouv":
        return self

    def __exit__(self, *exc) -> None:
        self._http.close()

    def _requete(self, methode: str, chemin: str, **kwargs) -> dict:
        url = f"{self.base_url}{chemin}"
        try:
            reponse = self._http.request(methode, url, **kwargs)
        except httpx.TransportError as e:
            raise DataGouvIndisponible(f"data.gouv.fr injoignable ({methode} {url}) : {e}") from e
        if reponse.status_code >= 500 or reponse.status_code == 429:
            raise DataGouvIndisponible(f"data.gouv.fr a répondu {reponse.status_code} à {methode} {url}",
                                       status=reponse.status_code)
        if reponse.status_code >= 400:
            raise DataGouvErreur(f"data.gouv.fr a refusé {methode} {url} ({reponse.status_code}) : "
                                 f"{reponse.text[:500]}", status=reponse.status_code)
        return reponse.json()

    def jeu_lire(self, *, dataset: str) -> dict:
        return self._requete("GET", f"/datasets/{dataset}/")

    def ressource_publier(self, *, dataset: str, titre: str, url: str, format: str, mime: str, taille: int,
                          sha256: str, description: str, schema_url: str) -> dict:
        """Updates the dataset's resource of this title, or creates it: one resource per format,
        whose URL (the site's `latest` file) stays the same from one week to the next."""
        corps = {
            "title": titre, "description": description, "url": url, "filetype": "remote", "type": "main",
            "format": format, "mime": mime, "filesize": taille,
            "checksum": {"type": "sha256", "value": sha256}, "schema": {"url": schema_url},
        }
        existante = next((r for r in self.jeu_lire(dataset=dataset).get("resources", []) if r.get("title") == titre),
                         None)
        if existante is None:
            return self._requete("POST", f"/datasets/{dataset}/resources/", json=corps)
        return self._requete("PUT", f"/datasets/{dataset}/resources/{existante['id']}/", json=corps)
