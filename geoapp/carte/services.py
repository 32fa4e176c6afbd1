"""Writes of the map pages: saved map configurations."""

from __future__ import annotations

from django.contrib.gis.geos import Point

from .models import CarteConfiguration


def carte_configuration_demo_ensure() -> CarteConfiguration:
    """The demo's embeddable map (`/carte/demo/`): repairers around Paris. Idempotent."""
    config, _ = CarteConfiguration.objects.update_or_create(
        slug="demo",
        defaults={"titre": "Où faire réparer à Paris", "groupes_actions": ["reparer"],
                  "centre": Point(2.3522, 48.8566, srid=4326), "nombre_resultats": 50},
    )
    return config
