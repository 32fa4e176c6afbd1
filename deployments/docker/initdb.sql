-- Run once by the postgis image on an empty data volume (/docker-entrypoint-initdb.d).
-- Same databases and extensions as scripts/db_bootstrap.py, which the `migrate` service then runs
-- to create the per-component roles and hand them their databases.
CREATE DATABASE circulaire_webapp;
CREATE DATABASE circulaire_warehouse;
CREATE DATABASE circulaire_prefect;

\c circulaire_webapp
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;

\c circulaire_warehouse
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
