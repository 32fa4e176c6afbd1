-- Re-runs without change: the fingerprint (blake2b of the canonical JSON) of the raw record each
-- imported acteur last came from, with the acteur's modifie_le at that time (µs since 1970). A record whose
-- fingerprint is known, for acteurs not modified since, skips normalise / validate / diff and
-- counts as unchanged.
CREATE TABLE IF NOT EXISTS staging.source_empreinte (
    flux               text        NOT NULL,
    identifiant_unique text        NOT NULL,
    empreinte          bytea       NOT NULL,
    acteur_modifie_us  bigint      NOT NULL,     -- the acteur's modifie_le, in µs since 1970
    PRIMARY KEY (flux, identifiant_unique)
);

-- a run's lignes carry the fingerprint of their record; an unchanged record's acteurs are
-- staged with no ligne (they count as present: never proposed for deletion)
ALTER TABLE staging.source_ligne ADD COLUMN IF NOT EXISTS empreinte bytea;
ALTER TABLE staging.source_ligne ALTER COLUMN ligne DROP NOT NULL;

-- a payload identical to one already archived for the flux (same blake2b) keeps only a reference:
-- a re-run without change archives almost nothing, and still replays without the network
ALTER TABLE raw.source_payload ADD COLUMN IF NOT EXISTS body_empreinte bytea;
ALTER TABLE raw.source_payload ALTER COLUMN body DROP NOT NULL;
CREATE INDEX IF NOT EXISTS source_payload_empreinte_idx ON raw.source_payload (flux, body_empreinte)
    WHERE body IS NOT NULL;
