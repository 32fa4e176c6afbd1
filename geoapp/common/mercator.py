"""Web Mercator (EPSG:3857), the projection of la carte's tiles: its constants, written once.
Tile coordinates come from mercantile."""

from __future__ import annotations

import math

import mercantile

RAYON_M = mercantile.RE  # the radius of EPSG:3857's sphere, metres
# metres along the equator of EPSG:3857's sphere (radius 6378137 m): the side of the z0 tile
CIRCONFERENCE_TERRE_M = mercantile.CE
# the latitude where Web Mercator's square world stops (y = ± CIRCONFERENCE_TERRE_M / 2): 85.0511…°
LATITUDE_MAX = math.degrees(2 * math.atan(math.exp(math.pi)) - math.pi / 2)
