"""The data.gouv.fr client against the local stand-in of its API: a resource created then updated,
a refusal and an outage told apart (the flow retries only the outage)."""

from __future__ import annotations

import pytest

from geoapp.donnees.datagouv import ClientDataGouv, DataGouvErreur, DataGouvIndisponible

DATASET = "acteurs-economie-circulaire"
RESSOURCE = {"titre": "Acteurs (CSV)", "url": "https://exemple.fr/donnees/acteurs.csv", "format": "csv",
             "mime": "text/csv", "taille": 123, "sha256": "ab" * 32, "description": "7 acteurs",
             "schema_url": "https://exemple.fr/donnees/schema.json"}


@pytest.fixture
def serveur():
    from doublures.datagouv import DoublureDataGouv

    with DoublureDataGouv(api_key="cle", datasets=(DATASET,)) as s:
        yield s


def test_a_resource_is_created_then_updated(serveur):
    with ClientDataGouv(base_url=serveur.url, api_key="cle") as client:
        cree = client.ressource_publier(dataset=DATASET, **RESSOURCE)
        modifie = client.ressource_publier(dataset=DATASET, **{**RESSOURCE, "taille": 456})
    assert modifie["id"] == cree["id"]
    (ressource,) = serveur.datasets[DATASET]["resources"]
    assert (ressource["filesize"], ressource["filetype"], ressource["checksum"]) == (
        456, "remote", {"type": "sha256", "value": "ab" * 32})
    assert [m for m, _ in serveur.requetes] == ["GET", "POST", "GET", "PUT"]


def test_a_wrong_key_or_dataset_is_a_refusal(serveur):
    with ClientDataGouv(base_url=serveur.url, api_key="mauvaise") as client:
        with pytest.raises(DataGouvErreur, match="401") as e:
            client.ressource_publier(dataset=DATASET, **RESSOURCE)
        assert not isinstance(e.value, DataGouvIndisponible)
        with pytest.raises(DataGouvErreur, match="404"):
            client.jeu_lire(dataset="inconnu")


def test_an_outage_is_told_apart(serveur):
    serveur.pannes.append(503)
    with ClientDataGouv(base_url=serveur.url, api_key="cle") as client:
        with pytest.raises(DataGouvIndisponible, match="503"):
            client.jeu_lire(dataset=DATASET)
        assert client.jeu_lire(dataset=DATASET)["id"] == DATASET
    with ClientDataGouv(base_url="http://127.0.0.1:9/api/1", api_key="cle", timeout=2) as client:
        with pytest.raises(DataGouvIndisponible, match="injoignable"):
            client.jeu_lire(dataset=DATASET)
