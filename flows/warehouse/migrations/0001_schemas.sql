-- The warehouse's layout. Owned by the flows; the web app never writes here.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;

CREATE SCHEMA IF NOT EXISTS raw;        -- payloads as fetched, per source run (replayable)
CREATE SCHEMA IF NOT EXISTS staging;    -- normalised rows of a run, before the diff
CREATE SCHEMA IF NOT EXISTS reference;  -- cloned reference tables (BAN, SIRENE, contours, ...)
CREATE SCHEMA IF NOT EXISTS displayed;  -- computed tables copied into the web app
-- schema `webapp` holds foreign tables of the web app (postgres_fdw), recreated by the flows.
