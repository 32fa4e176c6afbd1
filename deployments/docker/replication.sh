#!/bin/bash
# Runs once, when the primary's data volume is empty (docker-entrypoint-initdb.d): the role the
# replica's pg_basebackup and streaming connect with (profile `echelle`), and its line in
# pg_hba.conf.
set -euo pipefail
[[ -n "${DB_REPLICATION_PASSWORD:-}" ]] || exit 0
psql -v ON_ERROR_STOP=1 -U postgres -d postgres -v pw="$DB_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE circulaire_replication WITH REPLICATION LOGIN PASSWORD :'pw';
SQL
echo "host replication circulaire_replication all scram-sha-256" >> "$PGDATA/pg_hba.conf"
