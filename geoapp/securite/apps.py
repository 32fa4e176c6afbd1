from django.apps import AppConfig


class SecuriteConfig(AppConfig):
    name = "geoapp.securite"
    label = "securite"
    verbose_name = "Sécurité (limites de débit, verrouillage des connexions)"

    def ready(self):
        from django.contrib import admin

        from .forms import ConnexionAdminForm

        # the admin's login refuses a client or an account after repeated failures
        admin.site.login_form = ConnexionAdminForm
