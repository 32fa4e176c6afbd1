from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _roles_apres_migration(sender, apps=None, using="default", **kwargs):
    """After each migrate (and each test flush): the groups hold exactly their declared permissions,
    those of models added since included."""
    from .roles import permissions_creer, roles_synchroniser

    if using != "default":
        return
    if apps is None:  # a flush sends no registry
        from django.apps import apps
    permissions_creer(apps=apps)
    roles_synchroniser(apps=apps)


class BackofficeConfig(AppConfig):
    name = "geoapp.backoffice"
    label = "backoffice"
    verbose_name = "back office"

    def ready(self):
        post_migrate.connect(_roles_apres_migration, sender=self, dispatch_uid="backoffice_roles")
