"""Fixtures shared by the clone and geocoding tests: the local server of the bundled extracts and
the BAN of Paris cloned once into the test warehouse (through the real clone mechanics)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def serveur_donnees_url():
    from doublures.fichiers import serveur_donnees

    with serveur_donnees() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def ban_clone(warehouse, serveur_donnees_url):
    """reference.ban / ban_voie / ban_commune from data/ban/adresses-75.csv.gz."""
    from flows.clones.chargement import clone_charger
    from flows.clones.jeux import BAN

    return clone_charger(jeu=BAN, urls=[f"{serveur_donnees_url}/ban/adresses-75.csv.gz"], min_lignes=150_000)
