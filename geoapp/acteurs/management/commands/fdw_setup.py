"""`manage.py fdw_setup`: (re)create the postgres_fdw links between the web app and the warehouse.
The displayed refresh does it too; this is for operators and for checking a new deployment."""

from django.core.management.base import BaseCommand

from geoapp.acteurs.displayed import webapp_tables
from geoapp.common.databases import fdw_configure_warehouse, fdw_configure_webapp


class Command(BaseCommand):
    help = "Configure postgres_fdw: warehouse → web app (schema webapp) and web app → warehouse (schema warehouse)."

    def handle(self, *args, **options):
        tables = webapp_tables()
        fdw_configure_warehouse(webapp_tables=tables)
        fdw_configure_webapp(remote_schema="displayed")
        self.stdout.write(f"postgres_fdw configured: {len(tables)} web app tables in the warehouse's schema `webapp`, "
                          "the warehouse's `displayed` schema in the web app's schema `warehouse`.")
