"""La carte's data for the browser tests (the browser itself: the root conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def carte_data(transactional_db):
    """Referentials, communes with contours and acteurs around Paris, committed for the server."""
    from geoapp.api.tests.conftest import acteurs_autour_de_paris, load_everything

    acteurs = acteurs_autour_de_paris(n=600)
    load_everything(acteurs)
    return acteurs
