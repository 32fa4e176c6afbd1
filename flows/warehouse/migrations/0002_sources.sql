-- Source flows: every payload as fetched (replayable without the network), the rows a run
-- quarantined with their reason, and the normalised rows of a run before the diff.
CREATE TABLE IF NOT EXISTS raw.source_payload (
    run_id   text        NOT NULL,
    flux     text        NOT NULL,               -- the flow's source key (e.g. refashion, cma)
    seq      integer     NOT NULL,               -- order of the payload in the run
    kind     text        NOT NULL,               -- page | schema | file | nomenclature
    url      text        NOT NULL,
    body     bytea       NOT NULL,
    recu_le  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS source_payload_flux_idx ON raw.source_payload (flux, recu_le);

CREATE TABLE IF NOT EXISTS raw.quarantaine (
    id                 bigserial   PRIMARY KEY,
    flux               text        NOT NULL,
    run_id             text        NOT NULL,
    numero             integer     NOT NULL,     -- position of the row in what the run received
    identifiant_unique text,                     -- when it could be computed (never deleted for it)
    ligne              jsonb       NOT NULL,     -- the raw row, as received
    raison             text        NOT NULL,
    cree_le            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, numero, raison)
);
CREATE INDEX IF NOT EXISTS quarantaine_flux_idx ON raw.quarantaine (flux, cree_le);

CREATE TABLE IF NOT EXISTS staging.source_ligne (
    run_id             text  NOT NULL,
    identifiant_unique text  NOT NULL,
    ligne              jsonb NOT NULL,
    PRIMARY KEY (run_id, identifiant_unique)
);
