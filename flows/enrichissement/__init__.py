"""Enrichment flows (tag `enrich`), one per file: each reads the active acteurs as displayed and
the clones of the warehouse (`reference.*`), applies the pure rules of `regles.py`, and writes its
proposals as ONE suggestion cohort per run (`geoapp.suggestions.enrichissements`), left `à
valider` for staff; applied, they are written on the acteurs' revisions."""
