"""PostGIS backend of the read-only `warehouse` alias. The warehouse's schema belongs to the flows
(SQL migrations), so this alias never creates, migrates nor drops a database: under tests,
"creating the test database" just points the alias at the `test_` warehouse that the `warehouse`
fixture (conftest.py) builds from the SQL migrations."""

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper
from django.db.backends.postgresql.creation import DatabaseCreation as PostgreSQLCreation


class DatabaseCreation(PostgreSQLCreation):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        from django.conf import settings

        name = self._get_test_db_name()
        if not name.startswith("test_"):
            raise RuntimeError(f"the warehouse alias under tests must be a test_ database, not {name!r}")
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        return name

    def destroy_test_db(self, old_database_name=None, verbosity=1, keepdb=False, suffix=None):
        self.connection.close()
        if old_database_name is not None:
            from django.conf import settings

            settings.DATABASES[self.connection.alias]["NAME"] = old_database_name
            self.connection.settings_dict["NAME"] = old_database_name


class DatabaseWrapper(PostGISDatabaseWrapper):
    creation_class = DatabaseCreation
