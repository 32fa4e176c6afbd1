"""Reads of administrative areas."""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.db.models import Case, IntegerField, Value, When

from .models import Commune


def commune_containing(*, longitude: float, latitude: float) -> Commune | None:
    """The most precise commune whose contour contains the point: the arrondissement municipal in
    Paris, Lyon and Marseille, else the commune; None outside every contour (a point exactly on a
    shared border belongs to both: the lower code wins, so the answer is stable)."""
    point = Point(longitude, latitude, srid=4326)
    return (
        Commune.objects.filter(geom__intersects=point)
        .annotate(rang=Case(When(type=Commune.Type.ARRONDISSEMENT_MUNICIPAL, then=Value(0)), default=Value(1),
                            output_field=IntegerField()))
        .order_by("rang", "code")
        .first()
    )
