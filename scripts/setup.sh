#!/usr/bin/env bash
# Idempotent set-up shared by `make demo` and `make test` on a Debian 12 machine (root, no Docker).
#   scripts/setup.sh [--browser] [--test]
# 1. Debian packages (PostgreSQL 15 + PostGIS 3, GDAL/GEOS/PROJ, and Chromium with --browser);
# 2. a running PostgreSQL: the one DATABASE_URL points at, or the local cluster started with
#    pg_ctlcluster;
# 3. uv, then the locked Python environment (uv sync --frozen);
# 4. the databases and their extensions (scripts/db_bootstrap.py);
# 5. a running Redis (the shared cache of the rate limits): the one REDIS_URL points at, or a local
#    redis-server started in the background.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_test=0
bootstrap_args=()
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --test) want_test=1; bootstrap_args+=(--test) ;;
  esac
done

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- 1. Debian packages ------------------------------------------------------------------------
packages=(postgresql-15 postgresql-15-postgis-3 postgresql-contrib libgdal32 libgeos-c1v5 libproj25 python3 python3-venv make curl ca-certificates redis-server redis-tools)
[[ $want_browser == 1 ]] && packages+=(chromium fonts-liberation)
# the replica's test (geoapp/api/tests/test_replique.py) puts pgbouncer in front of its two clusters
[[ $want_test == 1 ]] && packages+=(pgbouncer)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# postgresql-contrib is a virtual package on some releases: accept postgres_fdw being present.
if [[ " ${missing[*]} " == *" postgresql-contrib "* ]] && ls /usr/share/postgresql/15/extension/postgres_fdw.control >/dev/null 2>&1; then
  missing=("${missing[@]/postgresql-contrib}")
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))
if (( ${#missing[@]} )); then
  log "installing Debian packages: ${missing[*]}"
  if [[ $(id -u) != 0 ]]; then echo "need root to apt-get install ${missing[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- 2. PostgreSQL ------------------------------------------------------------------------------
export DATABASE_URL="${DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp}"
export WAREHOUSE_DATABASE_URL="${WAREHOUSE_DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse}"
pg_host=$(python3 -c "import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.hostname or '127.0.0.1')" "$DATABASE_URL")
pg_port=$(python3 -c "import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.port or 5432)" "$DATABASE_URL")
if ! pg_isready -q -h "$pg_host" -p "$pg_port"; then
  case "$pg_host" in
    127.0.0.1|localhost|::1)
      if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -q '^15/main$'; then
        log "creating the PostgreSQL 15 cluster"
        pg_createcluster 15 main --port "$pg_port" >/dev/null
      fi
      log "starting PostgreSQL 15 (pg_ctlcluster)"
      pg_ctlcluster --skip-systemctl-redirect 15 main start || true
      for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p "$pg_port" && break; sleep 1; done
      pg_isready -q -h "$pg_host" -p "$pg_port" || { echo "PostgreSQL did not start on $pg_host:$pg_port" >&2; exit 1; }
      ;;
    *) echo "PostgreSQL at $pg_host:$pg_port (DATABASE_URL) is not reachable" >&2; exit 1 ;;
  esac
fi

# --- 3. uv and the locked environment -----------------------------------------------------------
export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1; then
  if [[ ! -x .tools/uv/bin/uv ]]; then
    log "installing uv into .tools/uv"
    python3 -m venv .tools/uv
    .tools/uv/bin/pip install -q 'uv>=0.5'
  fi
  export PATH="$PWD/.tools/uv/bin:$PATH"
fi
log "uv sync --frozen"
uv sync --frozen --quiet

# --- 4. databases, extensions ------------------------------------------------------------------
uv run --frozen python scripts/db_bootstrap.py "${bootstrap_args[@]}"

# --- 5. Redis ----------------------------------------------------------------------------------
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
redis_host=$(python3 -c "import sys,urllib.parse as u; print(u.urlsplit(sys.argv[1]).hostname or '127.0.0.1')" "$REDIS_URL")
redis_port=$(python3 -c "import sys,urllib.parse as u; print(u.urlsplit(sys.argv[1]).port or 6379)" "$REDIS_URL")
if [[ "$(redis-cli -h "$redis_host" -p "$redis_port" ping 2>/dev/null)" != PONG ]]; then
  case "$redis_host" in
    127.0.0.1|localhost|::1)
      log "starting redis-server on port $redis_port (no persistence)"
      redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
      for _ in $(seq 1 20); do [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]] && break; sleep 0.25; done
      [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]] || { echo "Redis did not start on port $redis_port" >&2; exit 1; }
      ;;
    *) echo "Redis at $redis_host:$redis_port (REDIS_URL) is not reachable" >&2; exit 1 ;;
  esac
fi
