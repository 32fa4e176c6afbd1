"""Enrichment (tag `enrich`): the pure rules live in `regles.py` (no Prefect, no database). The
flows that write their outcomes as suggestion cohorts depend on the suggestion models of the
ingestion work and are not here yet."""
