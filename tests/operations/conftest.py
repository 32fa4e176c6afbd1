from tests.sources.conftest import source_db, stand_in  # noqa: F401  (the source flows' fixtures)
