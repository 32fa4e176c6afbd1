"""Data for l'assistant's tests: the referentials and the 424 products of produits-index.json with
their synonyms and advice texts, loaded by the production loader."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings


INDEX = Path(settings.DATA_DIR) / "reference" / "produits-index.json"
CONSEILS = Path(settings.DATA_DIR) / "assistant" / "conseils.json"


def load_produits() -> dict:
    from geoapp.acteurs.services import referentiel_load
    from geoapp.assistant.services import produit_index_load

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    return produit_index_load(index_path=INDEX, conseils_path=CONSEILS)


@pytest.fixture(scope="module")
def produits(django_db_setup, django_db_blocker):
    """Committed for the whole module (its tests write only inside their rolled-back transactions)."""
    from geoapp.api.tests.conftest import clear_everything

    with django_db_blocker.unblock():
        load_produits()
        yield
        clear_everything()


@pytest.fixture(autouse=True)
def _recherches_en_cache_oubliees():
    """Each test starts without the searches an earlier one kept in the shared cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
