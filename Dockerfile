# Circulaire: GeoDjango web app + Prefect flows, one image for every service of docker-compose.yml.
FROM python:3.11-slim-bookworm

# GDAL/GEOS/PROJ for GeoDjango; psql/pg_isready for operations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 libgeos-c1v5 libproj25 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_NO_DEV=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=geoapp.config.settings.production

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-cache

# The venv lives in /opt/venv, so a host .venv copied along cannot shadow it
# (a .dockerignore listing .venv, .git, .tools keeps the context small).
COPY . .
# The environment is complete: `uv run` uses it as is (no sync, no network at run time).
ENV UV_NO_SYNC=1

# Production settings require these; dummy build-time values (RUN sees ARGs as env), not kept in the image env.
ARG DJANGO_SECRET_KEY=build-only-not-secret-only-for-collectstatic-at-build-time
ARG DJANGO_ALLOWED_HOSTS=localhost
RUN uv run --frozen python manage.py collectstatic --noinput

EXPOSE 8000
# 2 gthread workers × 4 threads: kept-alive connections, the best measured on 2 cores (bench/README.md)
CMD ["uv", "run", "--frozen", "gunicorn", "geoapp.config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
