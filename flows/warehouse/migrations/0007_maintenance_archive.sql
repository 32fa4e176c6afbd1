-- Maintenance (flows/maintenance/entrepot.py): suggestions applied or rejected long ago leave the
-- web app for this archive, one row per group with its changes.
CREATE SCHEMA IF NOT EXISTS archive;
CREATE TABLE IF NOT EXISTS archive.groupe_suggestion (
    id                 bigint      PRIMARY KEY,  -- GroupeSuggestion.id in the web app
    run_id             text        NOT NULL,
    flux               text        NOT NULL,
    type               text        NOT NULL,     -- ajout | modification | suppression
    source             text        NOT NULL,
    identifiant_unique text        NOT NULL,
    statut             text        NOT NULL,     -- appliquee | rejetee
    empreinte          text        NOT NULL,
    message            text        NOT NULL,
    modifie_le         timestamptz NOT NULL,
    donnees            jsonb       NOT NULL,
    changements        jsonb       NOT NULL,     -- [{champ, ancienne_valeur, nouvelle_valeur}]
    archive_le         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS groupe_suggestion_archive_acteur_idx ON archive.groupe_suggestion (identifiant_unique);
