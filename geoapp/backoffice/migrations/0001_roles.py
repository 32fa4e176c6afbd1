"""The back office's four groups with their permissions (geoapp/backoffice/roles.py)."""

from django.db import migrations


def creer(apps, schema_editor):
    from geoapp.backoffice.roles import permissions_creer, roles_synchroniser

    permissions_creer(apps=apps)
    roles_synchroniser(apps=apps)


def supprimer(apps, schema_editor):
    from geoapp.backoffice.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("acteurs", "0004_displayedacteur_feature"),
        ("suggestions", "0005_application_suggestions"),
        ("carte", "0001_initial"),
        ("assistant", "0001_initial"),
        ("territoires", "0001_initial"),
        ("geocodage", "0001_initial"),
    ]
    operations = [migrations.RunPython(creer, supprimer)]
