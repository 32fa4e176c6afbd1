"""Local development and the demo (`make demo`)."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])


# --- la carte (issue 12): the background drawn from the bundled contours unless MAP_TILES_URL is set
if "MAP_TILES_URL" not in env.ENVIRON:
    from .base import CONTENT_SECURITY_POLICY, LEAFLET_CONFIG, MAP_TILES_ATTRIBUTIONS, MAP_TILES_CONTOURS, SELF

    MAP_TILES_URL = MAP_TILES_CONTOURS
    MAP_TILES_ATTRIBUTION = env("MAP_TILES_ATTRIBUTION", default=MAP_TILES_ATTRIBUTIONS[MAP_TILES_CONTOURS])
    LEAFLET_CONFIG["TILES"] = []  # the admin's map widgets: the geometry on a blank background
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [SELF, "data:"]

BACKOFFICE_COMPTES_DEMO = True  # `make demo` creates lecteur / contributeur / valideur / administrateur
