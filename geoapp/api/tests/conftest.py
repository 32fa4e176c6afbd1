"""Data for the API and map tests: referentials, communes with contours, and displayed acteurs
placed around Paris (the read model, inserted as the swap would leave it; clusters rebuilt)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

GEO_DIR = Path(settings.DATA_DIR) / "geo"
PARIS = (2.3488, 48.8534)  # Hôtel de Ville

GROUPES = {"reparer": "reparer", "donner": "donner_echanger_rapporter", "trier": "trier",
           "louer": "emprunter_preter_louer", "acheter": "vendre_acheter"}


def displayed(identifiant: str, lon: float, lat: float, *, actions=("reparer",), sous_categories=("ecran",),
              **fields):
    from geoapp.acteurs.models import DisplayedActeur

    return DisplayedActeur(
        identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", nom=fields.pop("nom", f"Lieu {identifiant}"),
        location=Point(lon, lat, srid=4326), statut="ACTIF", actions=list(actions),
        groupes_actions=sorted({GROUPES[a] for a in actions}), sous_categories=list(sous_categories),
        propositions=[{"action": a, "sous_categories": list(sous_categories)} for a in actions],
        **{"acteur_type": "commerce", "sources": ["cmareparacteur"], "adresse": "1 rue de Rivoli",
           "code_postal": "75004", "ville": "Paris", **fields},
    )


def acteurs_autour_de_paris(n: int = 300, seed: int = 5) -> list:
    """`n` acteurs scattered within ~60 km of Paris, with varied actions, labels, types, sources."""
    rng = random.Random(seed)
    actions = list(GROUPES)
    rows = []
    for i in range(n):
        lon = PARIS[0] + rng.uniform(-0.8, 0.8)
        lat = PARIS[1] + rng.uniform(-0.5, 0.5)
        chosen = tuple(sorted(rng.sample(actions, rng.randint(1, 2))))
        rows.append(displayed(
            f"gen_{i:04d}", lon, lat, actions=chosen,
            sous_categories=(rng.choice(["ecran", "vetement", "meuble", "petit_electromenager"]),),
            labels=rng.choice([[], [], ["qualirepar"], ["ess"]]),
            acteur_type=rng.choice(["commerce", "artisan", "ess"]),
            sources=[rng.choice(["cmareparacteur", "refashion", "ecomaison"])],
            exclusivite_de_reprisereparation=rng.choice([None, True, False]),
            telephone="01 02 03 04 05", horaires_description="du lundi au samedi, 9 h - 18 h",
            url="https://exemple.fr",
        ))
    return rows


def load_everything(acteurs: list) -> None:
    from geoapp.acteurs.displayed import displayed_cluster_refresh
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.acteurs.services import referentiel_load
    from geoapp.territoires.services import territoire_load_bundled

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    territoire_load_bundled(geo_dir=GEO_DIR)
    DisplayedActeur.objects.bulk_create(acteurs)
    displayed_cluster_refresh()


def clear_everything() -> None:
    """As a transactional test leaves the database: every table emptied."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def paris_data(django_db_setup, django_db_blocker):
    """Committed for the whole module (tests must not write: they run in rolled-back transactions)."""
    acteurs = acteurs_autour_de_paris()
    with django_db_blocker.unblock():
        load_everything(acteurs)
        yield acteurs
        clear_everything()


@pytest.fixture(autouse=True)
def _no_throttle_leak():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
