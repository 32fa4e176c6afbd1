"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]  # the repository root
DATA_DIR = BASE_DIR / "data"

env = environ.Env()
# (DJANGO_READ_DOT_ENV=false: not read, e.g. the tests of the production settings' own environment)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() \
    and env.bool("DJANGO_READ_DOT_ENV", default=True) else None

DEFAULT_WEBAPP_URL = "postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp"
DEFAULT_WAREHOUSE_URL = "postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse"

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "leaflet",
    "geoapp.acteurs",
    "geoapp.territoires",
    "geoapp.carte",
    "geoapp.assistant",
    "geoapp.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "geoapp.config.urls"
WSGI_APPLICATION = "geoapp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "geoapp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# The web app's own database (owned by Django's migrations).
DATABASES = {"default": env.db_url("DATABASE_URL", default=DEFAULT_WEBAPP_URL)}
# PostGIS, whose per-request health check needs no round trip on an idle connection (see the module)
DATABASES["default"]["ENGINE"] = "geoapp.config.postgis"

# The flows' warehouse: raw archives, staging, cloned reference tables, computed tables.
# Reached with psycopg directly (its schema is versioned by flows/warehouse/migrations).
WAREHOUSE_DATABASE_URL = env("WAREHOUSE_DATABASE_URL", default=DEFAULT_WAREHOUSE_URL)

# How the warehouse reaches the web app's database through postgres_fdw (and back).
# By default the same host/port/credentials as DATABASE_URL / WAREHOUSE_DATABASE_URL;
# override when the servers see each other under other names (docker-compose, production).
FDW_WEBAPP_HOST = env("FDW_WEBAPP_HOST", default="")
FDW_WEBAPP_PORT = env("FDW_WEBAPP_PORT", default="")
FDW_WAREHOUSE_HOST = env("FDW_WAREHOUSE_HOST", default="")
FDW_WAREHOUSE_PORT = env("FDW_WAREHOUSE_PORT", default="")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # collected files: production only (collectstatic)
STATICFILES_DIRS = [BASE_DIR / "geoapp" / "static"]
# Served by WhiteNoise: from the collected STATIC_ROOT in production, from the apps' folders otherwise.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# The map's unfiltered low-zoom acteur tiles from a PMTiles archive on object storage (issue 18;
# behind a CDN in production), read by the browser with HTTP range requests: the public URL of the
# object the flow `tuiles-archive` writes (TUILES_S3_*). Empty: the web app serves every tile.
MAP_PMTILES_URL = env("MAP_PMTILES_URL", default="")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (46.6, 2.4),
    "DEFAULT_ZOOM": 6,
    "TILES": [],  # the map's background: see MAP_TILES_URL below
    "NO_GLOBALS": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Debian 12 ships GDAL 3.6 (a fixed choice of this project); Django warns that only GDAL >= 3.9 can
# block file and network access from spatial references. Spatial references here come from code.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- ingestion des sources (issue 3) ---
INSTALLED_APPS += ["geoapp.suggestions"]  # noqa: F405
# Base URLs of the sources: the real hosts by default; the tests and the demo point them at the
# local stand-in servers (doublures/sources/).
SOURCES_DATAFAIR_POINTSAPPORT_URL = env("SOURCES_DATAFAIR_POINTSAPPORT_URL", default="https://data.pointsapport.ademe.fr")
SOURCES_DATAFAIR_ADEME_URL = env("SOURCES_DATAFAIR_ADEME_URL", default="https://data.ademe.fr")
SOURCES_CMA_URL = env("SOURCES_CMA_URL", default="https://apiopendata.artisanat.fr")
SOURCES_PHARMACIES_URL = env("SOURCES_PHARMACIES_URL", default="https://www.ordre.pharmacien.fr/download/annuaire_csv.zip")
SOURCES_S3_ENDPOINT_URL = env("SOURCES_S3_ENDPOINT_URL", default=None)  # None: AWS
SOURCES_S3_BUCKET = env("SOURCES_S3_BUCKET", default="lvao-data-source")
SOURCES_HTTP_TIMEOUT = env.float("SOURCES_HTTP_TIMEOUT", default=60.0)  # seconds per request
SOURCES_HTTP_RETRIES = env.int("SOURCES_HTTP_RETRIES", default=4)  # attempts on a transient error
SOURCES_HTTP_BACKOFF = env.float("SOURCES_HTTP_BACKOFF", default=1.0)  # first delay, doubled each time
SOURCES_HTTP_RATE_PER_HOST = env.float("SOURCES_HTTP_RATE_PER_HOST", default=5.0)  # requests/s per host
SOURCES_DATAFAIR_PAGE_SIZE = env.int("SOURCES_DATAFAIR_PAGE_SIZE", default=10000)
SOURCES_CMA_PAGE_SIZE = env.int("SOURCES_CMA_PAGE_SIZE", default=1000)
SOURCES_GEOCODAGE_URL = env("SOURCES_GEOCODAGE_URL", default="https://data.geopf.fr/geocodage/search/")
SOURCES_SINOE_ANNEE = env("SOURCES_SINOE_ANNEE", default="2025")
SOURCES_S3_ACCESS_KEY = env("SOURCES_S3_ACCESS_KEY", default="")
SOURCES_S3_SECRET_KEY = env("SOURCES_S3_SECRET_KEY", default="")
# a run proposing to delete more than this share of its sources' active acteurs writes its
# deletions for review whatever the policy (a cut-short or reshaped extract is not a mass closure)
SOURCES_SUPPRESSIONS_PART_MAX = env.float("SOURCES_SUPPRESSIONS_PART_MAX", default=0.10)
# days a geocoded address of a source (pharmacies) is trusted before it is geocoded again
SOURCES_GEOCODAGE_CACHE_JOURS = env.float("SOURCES_GEOCODAGE_CACHE_JOURS", default=90.0)

# --- carte & API (geoapp.api, geoapp.carte) ---
INSTALLED_APPS += [
    "django.contrib.postgres",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "dsfr",
    "geoapp.api",
]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware")
# Anyone may read the public API from a browser (GET only).
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    # rate limits: geoapp.securite.middleware (every costly endpoint, API or not, one shared count)
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "geoapp.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
API_PAGE_MAX_SIZE = 500
API_NEAR_MAX_RESULTS = 100
API_NEAR_MAX_DIST_M = 100_000
API_BBOX_MAX_DEGREES = env.float("API_BBOX_MAX_DEGREES", default=5.0)
# Vector tiles: each web server process keeps the tiles it served lately in memory (bytes), and
# reads the generation of the displayed acteurs at most this often (seconds): after a publication,
# another process may serve the previous tiles, with their previous ETag, that long.
API_TILE_MEMORY_BYTES = env.int("API_TILE_MEMORY_BYTES", default=64 * 1024 * 1024)
API_TILE_GENERATION_MAX_AGE_S = env.float("API_TILE_GENERATION_MAX_AGE_S", default=1.0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Que faire de mes objets — API",
    "DESCRIPTION": "Les lieux où réparer, donner, vendre, louer ou déposer un objet (acteurs affichés), en GeoJSON.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the documentation's UI from the app's own static files (drf-spectacular-sidecar): no CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
CARTE_RESULTATS_MAX = 100  # the map: nearest acteurs shown
CARTE_RAYON_M = 30_000
# The map's background (issue 12): by default the IGN's "Plan IGN" of the Géoplateforme (free,
# no key), with its attribution; `MAP_TILES_URL` names other raster XYZ tiles, or `contours`: the
# background the app draws itself from the bundled contours (départements, communes, Paris
# arrondissements, with their names: `geoapp/carte/fond.py`), the default of the demo and the tests
# (`settings/dev.py`, `settings/test.py`): nothing leaves the machine.
MAP_TILES_PLAN_IGN = ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                      "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
                      "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
MAP_TILES_CONTOURS = "contours"
MAP_TILES_ATTRIBUTIONS = {MAP_TILES_PLAN_IGN: "© IGN – Plan IGN",
                          MAP_TILES_CONTOURS: "Contours © IGN Admin Express, INSEE (Licence Ouverte)"}
MAP_TILES_URL = env("MAP_TILES_URL", default=MAP_TILES_PLAN_IGN)
MAP_TILES_ATTRIBUTION = env("MAP_TILES_ATTRIBUTION", default=MAP_TILES_ATTRIBUTIONS.get(MAP_TILES_URL, ""))
LEAFLET_CONFIG["TILES"] = [("Plan", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})]
# Citizens' corrections and proposed places (`geoapp/carte/contributions.py`): per client IP,
# at most this many in CARTE_CONTRIBUTIONS_FENETRE_S seconds (counted in the default cache).
CARTE_CONTRIBUTIONS_MAX = env.int("CARTE_CONTRIBUTIONS_MAX", default=5)
CARTE_CONTRIBUTIONS_FENETRE_S = env.int("CARTE_CONTRIBUTIONS_FENETRE_S", default=3600)

# --- geocodage & clones (issue 4) ---
INSTALLED_APPS += ["geoapp.geocodage"]  # noqa: F405

# The cloned BAN table stays in the warehouse; the web app reads it through this second alias,
# read-only at the PostgreSQL level, never migrated (geoapp.geocodage.routers.WarehouseRouter).
# Its backend never creates nor destroys a test database: under tests it is the `test_` warehouse
# the `warehouse` fixture builds (WAREHOUSE_DATABASE_URL already carries the prefix there).
# (its own read-only role in production: WAREHOUSE_READONLY_DATABASE_URL, scripts/db_bootstrap.py)
DATABASES["warehouse"] = env.db_url_config(env("WAREHOUSE_READONLY_DATABASE_URL", default=WAREHOUSE_DATABASE_URL))  # noqa: F405
DATABASES["warehouse"].update({
    "ENGINE": "geoapp.geocodage.warehouse_backend",
    # server-side binding and prepared statements (Django disables psycopg's by default): the
    # geocoder's few statements are planned once per connection, with a generic plan (planning
    # them each time cost more than running them); no JIT: a batch of 500 addresses on a national
    # BAN is estimated costly enough to be compiled, 0.6 s of a 1.2 s statement that never pays back
    "OPTIONS": {"options": "-c default_transaction_read_only=on -c search_path=reference,public "
                           "-c plan_cache_mode=force_generic_plan -c jit=off",
                "server_side_binding": True, "prepare_threshold": 0},
    "CONN_MAX_AGE": env.int("WAREHOUSE_CONN_MAX_AGE", default=60),
})
DATABASE_ROUTERS = ["geoapp.geocodage.routers.WarehouseRouter"]

# Geocoding: the offline geocoder (BAN clone) or a BAN geocoding API (public service or addok).
GEOCODAGE_BACKEND = env("GEOCODAGE_BACKEND", default="hors_ligne")  # hors_ligne | ban_api
BAN_API_URL = env("BAN_API_URL", default="https://data.geopf.fr/geocodage")
BAN_API_TIMEOUT = env.float("BAN_API_TIMEOUT", default=10.0)
GEOCODAGE_SCORE_MIN = env.float("GEOCODAGE_SCORE_MIN", default=0.6)  # under it: no location, flagged

# Clone flows: each dataset's official download and production minimum row count are declared in
# flows/clones/jeux.py; the environment overrides them per dataset (CLONE_URL_<NOM>,
# CLONE_MIN_ROWS_<NOM>, e.g. CLONE_URL_BAN). Tests and the demo pass local URLs.
CLONE_URLS = {k.removeprefix("CLONE_URL_").lower(): v for k, v in environ.Env.ENVIRON.items()
              if k.startswith("CLONE_URL_")}
CLONE_MIN_ROWS = {k.removeprefix("CLONE_MIN_ROWS_").lower(): env.int(k) for k in environ.Env.ENVIRON
                  if k.startswith("CLONE_MIN_ROWS_")}
CLONE_TIMEOUT = env.float("CLONE_TIMEOUT", default=60.0)

# Web requests are short: keep database connections between requests, and no JIT (PostgreSQL's JIT
# spends ~200 ms compiling the plans of spatial queries whose estimated cost looks high).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# --- entrées : paramètres refusés, Content-Security-Policy (issue 10) ---
# Every request's path segments, query parameters and cookies are checked before any view
# (geoapp/common/entrees.py): NUL, a surrogate, bytes that are not UTF-8 or a value longer than
# this answer 400 naming the parameter (JSON on the API, the HTML page 400.html elsewhere).
ENTREES_PARAMETRE_MAX_CARACTERES = env.int("ENTREES_PARAMETRE_MAX_CARACTERES", default=4096)
# after CORS (the API's 400 carry its headers), before the views
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "geoapp.common.entrees.EntreesMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                  "geoapp.common.entrees.CookiesMiddleware")  # a cookie holding NUL is dropped

# Content-Security-Policy on every response (django-csp): scripts and styles from the app's own
# files only (no inline script, no inline event handler, no inline style), except the inline
# scripts of the admin's map widgets, which carry the request's nonce. The map may be framed by any
# origin (`/carte/<slug>/`, `geoapp.carte.views`), other pages only by the app itself. The
# background tiles' host (MAP_TILES_URL, `{s}` a subdomain) is allowed for images.
from csp.constants import NONCE, NONE, SELF  # noqa: E402


def _origine(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],  # the nonce appears only when a page used it (admin map widgets)
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_origine(MAP_TILES_URL)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, *_origine(MAP_PMTILES_URL)],  # the tiles' archive (range requests)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# --- sécurité (issue 10): shared cache, rate limits, admin login lockout ---
INSTALLED_APPS += ["geoapp.securite"]  # noqa: F405
# Counted per client in a cache shared by every web process and host (Redis), so that a limit
# holds whatever the number of gunicorn workers and servers.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "geoapp.securite.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("REDIS_KEY_PREFIX", default="circulaire"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# How many reverse proxies of ours stand in front of the web app, each appending to
# X-Forwarded-For: the client is the Nth address from the right. 0: the connection's peer
# (REMOTE_ADDR); X-Forwarded-For, written by the client, is then ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Requests per client (empty: no limit), 429 with Retry-After beyond (geoapp.securite.middleware).
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")  # the API (/api/)
ADRESSES_THROTTLE_RATE = env("ADRESSES_THROTTLE_RATE", default="120/min")  # the geocoder /api/v1/adresses
TILES_THROTTLE_RATE = env("TILES_THROTTLE_RATE", default="3000/min")  # vector tiles and map backgrounds
PAGES_THROTTLE_RATE = env("PAGES_THROTTLE_RATE", default="300/min")  # the pages (home, carte, assistant…)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),  # after CORS: 429s carry it
                  "geoapp.securite.middleware.LimiteDebitMiddleware")
# Admin login: after this many failures of one account from one client (or of one client over
# any account) within ADMIN_LOGIN_LOCKOUT_S seconds, logins from it are refused until then.
ADMIN_LOGIN_FAILURES = env.int("ADMIN_LOGIN_FAILURES", default=5)
ADMIN_LOGIN_FAILURES_PER_CLIENT = env.int("ADMIN_LOGIN_FAILURES_PER_CLIENT", default=20)
ADMIN_LOGIN_LOCKOUT_S = env.int("ADMIN_LOGIN_LOCKOUT_S", default=900)
# Applying suggestions from the admin: a flow run of this deployment (run by the Prefect workers,
# e.g. `suggestions-appliquer/suggestions-appliquer`); empty: a local process (demo, tests).
SUGGESTIONS_APPLICATION_DEPLOYMENT = env("SUGGESTIONS_APPLICATION_DEPLOYMENT", default="")

# --- assistant (geoapp.assistant) ---
# Staff edits of products, synonyms and advice texts keep their history (who changed what).
INSTALLED_APPS += ["simple_history"]  # noqa: F405
MIDDLEWARE += ["simple_history.middleware.HistoryRequestMiddleware"]  # noqa: F405
ASSISTANT_RESULTATS_MAX = 20  # the largest `limit` of /api/v1/produits

# --- données ouvertes et statistiques (issue 17) ---
INSTALLED_APPS += ["geoapp.donnees", "geoapp.statistiques"]  # noqa: F405
# The weekly open-data export (flow `export-donnees-ouvertes`): an S3 bucket holding a dated
# version per run (kept DONNEES_RETENTION_JOURS days) and a `latest` copy, under DONNEES_S3_PREFIX.
DONNEES_S3_ENDPOINT_URL = env("DONNEES_S3_ENDPOINT_URL", default=SOURCES_S3_ENDPOINT_URL)  # None: AWS
DONNEES_S3_BUCKET = env("DONNEES_S3_BUCKET", default="circulaire-donnees-ouvertes")
DONNEES_S3_PREFIX = env("DONNEES_S3_PREFIX", default="acteurs")
DONNEES_S3_ACCESS_KEY = env("DONNEES_S3_ACCESS_KEY", default=SOURCES_S3_ACCESS_KEY)
DONNEES_S3_SECRET_KEY = env("DONNEES_S3_SECRET_KEY", default=SOURCES_S3_SECRET_KEY)
DONNEES_S3_REGION = env("DONNEES_S3_REGION", default="eu-west-3")
DONNEES_RETENTION_JOURS = env.int("DONNEES_RETENTION_JOURS", default=30)
# Public base URL of the bucket's objects (e.g. https://bucket.s3.example/acteurs): when set,
# /donnees/acteurs.* redirect there; otherwise the web app streams the `latest` copy from S3.
DONNEES_URL_PUBLIQUE = env("DONNEES_URL_PUBLIQUE", default="")
# --- the map's tiles on object storage (issue 18) ---
# The flow `tuiles-archive` writes the unfiltered tiles of zooms 0..8 (those computed ahead) into one
# PMTiles archive, the object TUILES_S3_CLE of TUILES_S3_BUCKET; MAP_PMTILES_URL is its public URL.
TUILES_S3_ENDPOINT_URL = env("TUILES_S3_ENDPOINT_URL", default=DONNEES_S3_ENDPOINT_URL)  # None: AWS
TUILES_S3_BUCKET = env("TUILES_S3_BUCKET", default="circulaire-tuiles")
TUILES_S3_CLE = env("TUILES_S3_CLE", default="carte/acteurs.pmtiles")
TUILES_S3_ACCESS_KEY = env("TUILES_S3_ACCESS_KEY", default=DONNEES_S3_ACCESS_KEY)
TUILES_S3_SECRET_KEY = env("TUILES_S3_SECRET_KEY", default=DONNEES_S3_SECRET_KEY)
TUILES_S3_REGION = env("TUILES_S3_REGION", default=DONNEES_S3_REGION)
# The site's public address: the resources published on data.gouv.fr point at its /donnees/ files.
DONNEES_SITE_URL = env("DONNEES_SITE_URL", default="http://127.0.0.1:8000")
# data.gouv.fr: the API (its production URL by default), an API key and the dataset (id or slug).
# Without a key or a dataset the export is not published there (said in the flow's report).
DATAGOUV_API_URL = env("DATAGOUV_API_URL", default="https://www.data.gouv.fr/api/1")
DATAGOUV_API_KEY = env("DATAGOUV_API_KEY", default="")
DATAGOUV_DATASET = env("DATAGOUV_DATASET", default="")
DATAGOUV_TIMEOUT = env.float("DATAGOUV_TIMEOUT", default=30.0)

# --- échelle (issue 18): web reads on a streaming replica, pgbouncer ---
# DATABASE_REPLICA_URL: a hot standby of the primary (pg_basebackup, streaming replication). The
# map's and the API's reads (GET/HEAD/OPTIONS under DATABASE_REPLICA_PATHS) go there; everything
# else, and a client's reads for DATABASE_REPLICA_STICKY_S seconds after its own write, go to the
# primary (geoapp/common/replique.py). Unset: no `replique` alias, every read on the primary.
DATABASE_REPLICA_PATHS = env.list("DATABASE_REPLICA_PATHS", default=["/api/v1/", "/carte/"])
DATABASE_REPLICA_STICKY_S = env.int("DATABASE_REPLICA_STICKY_S", default=10)
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replique"] = {
        **DATABASES["default"],
        **env.db_url_config(env("DATABASE_REPLICA_URL")),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        # under tests the replica alias is the test database itself (pytest-django creates no other)
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = [*DATABASE_ROUTERS, "geoapp.common.replique.RepliqueRouter"]  # the warehouse's first
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "geoapp.common.replique.RepliqueMiddleware")
# DATABASE_PGBOUNCER=true: DATABASE_URL (and DATABASE_REPLICA_URL) reach PostgreSQL through pgbouncer
# in transaction mode, where a server connection serves another client after each transaction: no
# server-side cursors (a named cursor outlives its transaction), and no `options` startup parameter
# (pgbouncer refuses it; `jit = off` is then its `connect_query`, or `ALTER DATABASE … SET jit = off`).
# psycopg's prepared statements stay off (Django's default) and its binding client-side.
if env.bool("DATABASE_PGBOUNCER", default=False):
    for _alias in ("default", "replique"):
        if _alias in DATABASES:
            DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
            DATABASES[_alias]["OPTIONS"].pop("options", None)

# Maintenance flows (flows/maintenance/, tag `maintenance`)
MAINTENANCE_PREFECT_RETENTION_JOURS = env.int("MAINTENANCE_PREFECT_RETENTION_JOURS", default=30)  # runs, logs, artifacts
MAINTENANCE_PAYLOADS_RUNS_GARDES = env.int("MAINTENANCE_PAYLOADS_RUNS_GARDES", default=3)  # raw payloads: last N runs per source
MAINTENANCE_QUARANTAINE_RETENTION_JOURS = env.int("MAINTENANCE_QUARANTAINE_RETENTION_JOURS", default=90)
MAINTENANCE_SUGGESTIONS_RETENTION_JOURS = env.int("MAINTENANCE_SUGGESTIONS_RETENTION_JOURS", default=365)  # applied / rejected → archive

# --- exploitation : sauvegardes, santé, métriques, erreurs, journaux (issue 16) ---
import tomllib  # noqa: E402

APP_VERSION = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["version"]
INSTALLED_APPS += ["geoapp.exploitation", "django_prometheus"]
# Prometheus (django-prometheus): requests, latencies, responses by view and status, the database
# (its backend: geoapp.config.postgis); served at /metrics, to the bearer of METRIQUES_JETON when set.
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
METRIQUES_JETON = env("METRIQUES_JETON", default="")
# The flows push their figures (rows per stage, durations) to a Prometheus Pushgateway when set.
PROMETHEUS_PUSHGATEWAY_URL = env("PROMETHEUS_PUSHGATEWAY_URL", default="")

# Backups (flow `sauvegarde`, `manage.py restaurer`): pg_dump custom format into this bucket.
SAUVEGARDE_S3_ENDPOINT_URL = env("SAUVEGARDE_S3_ENDPOINT_URL", default=None)  # None: AWS
SAUVEGARDE_S3_BUCKET = env("SAUVEGARDE_S3_BUCKET", default="circulaire-sauvegardes")
SAUVEGARDE_S3_PREFIXE = env("SAUVEGARDE_S3_PREFIXE", default="sauvegardes/")
SAUVEGARDE_S3_REGION = env("SAUVEGARDE_S3_REGION", default="eu-west-3")
SAUVEGARDE_S3_ACCESS_KEY = env("SAUVEGARDE_S3_ACCESS_KEY", default="")
SAUVEGARDE_S3_SECRET_KEY = env("SAUVEGARDE_S3_SECRET_KEY", default="")
SAUVEGARDE_PG_BIN = env("SAUVEGARDE_PG_BIN", default="")  # folder of pg_dump/pg_restore; empty: PATH
SAUVEGARDE_QUOTIDIENNES = env.int("SAUVEGARDE_QUOTIDIENNES", default=7)
SAUVEGARDE_HEBDOMADAIRES = env.int("SAUVEGARDE_HEBDOMADAIRES", default=4)
SAUVEGARDE_MENSUELLES = env.int("SAUVEGARDE_MENSUELLES", default=12)

# /sante/: what a load balancer and an uptime monitor read.
SANTE_PREFECT_API_URL = env("PREFECT_API_URL", default="")  # empty: not checked (embedded server)
SANTE_TIMEOUT = env.float("SANTE_TIMEOUT", default=3.0)  # seconds per check
SANTE_AFFICHES_AGE_MAX_HEURES = env.float("SANTE_AFFICHES_AGE_MAX_HEURES", default=36.0)
SANTE_SOURCE_AGE_MAX_JOURS = env.float("SANTE_SOURCE_AGE_MAX_JOURS", default=8.0)  # sources run weekly

# Errors to Sentry when SENTRY_DSN is set (web app and flows: both load these settings).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from geoapp.exploitation.observabilite import sentry_configurer  # noqa: E402

    sentry_configurer(dsn=SENTRY_DSN, environnement=env("SENTRY_ENVIRONMENT", default="production"),
                      version=APP_VERSION, echantillon_traces=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))

# --- back office (issue 14): the demo accounts (one per role, password `demo`) exist only where a
# settings module turns this on (the dev settings of `make demo`); production creates none.
BACKOFFICE_COMPTES_DEMO = False

# --- back office (issue 14): an apply of up to this many acteurs refreshes only them (and their
# parents and children) in place; more, the full rebuild and swap (the nightly run's)
AFFICHES_PARTIEL_MAX = env.int("AFFICHES_PARTIEL_MAX", default=2000)

# --- open data (issue 17): the export's CSV validated against its Table Schema in this many
# processes (parts of the file), by default one per core
DONNEES_VALIDATION_PROCESSUS = env.int("DONNEES_VALIDATION_PROCESSUS", default=os.cpu_count() or 1)

# --- l'assistant (issue 13): a keystroke search's answer kept this long in the shared cache (and
# dropped at once when a product or synonym changes)
RECHERCHE_CACHE_S = env.int("RECHERCHE_CACHE_S", default=600)
