"""Local development and the demo (`make demo`)."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
BACKOFFICE_COMPTES_DEMO = True  # `make demo` creates lecteur / contributeur / valideur / administrateur
