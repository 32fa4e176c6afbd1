from tests.sources.conftest import source_db, doublure_sources  # noqa: F401  (the source flows' fixtures)
