"""The map's data for its browser tests (the real browser itself, `browser` / `new_context`, is the
root conftest's: one Playwright per test session)."""

from __future__ import annotations

import pytest


@pytest.fixture
def carte_data(transactional_db):
    """Referentials, communes with contours and acteurs around Paris, committed for the server."""
    from geoapp.api.tests.conftest import acteurs_autour_de_paris, load_everything

    acteurs = acteurs_autour_de_paris(n=600)
    load_everything(acteurs)
    return acteurs
