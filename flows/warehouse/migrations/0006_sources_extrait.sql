-- Re-runs without change, without parsing: per flux, the fingerprints of the records of its last
-- normalised extract, under a key made of its payloads' fingerprints (and the flux's rules). A run
-- whose payloads are the same bytes, and whose every record is known unchanged
-- (staging.source_empreinte), takes its records' fingerprints from here instead of parsing the
-- payloads again (an xlsx, JSON pages).
CREATE TABLE IF NOT EXISTS staging.source_extrait (
    flux       text  PRIMARY KEY,
    cle        bytea NOT NULL,                -- blake2b of the rules' salt and of the payloads' fingerprints, in order
    empreintes bytea NOT NULL,                -- the records' fingerprints, 16 bytes each, in the order of the records
    inconnus   jsonb NOT NULL DEFAULT '{}'    -- unknown field → records carrying it (the run's report)
);
