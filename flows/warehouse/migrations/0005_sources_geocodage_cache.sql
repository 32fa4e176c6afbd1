-- Geocoding of source rows (pharmacies): what the geocoder answered, by normalised address, so
-- that a re-run does not geocode the same addresses again.
CREATE TABLE IF NOT EXISTS staging.source_geocodage (
    adresse_normalisee text        PRIMARY KEY,
    reponse            jsonb       NOT NULL,     -- the BAN API's answer: {"features": [...]}
    geocode_le         timestamptz NOT NULL DEFAULT now()
);
