from django.apps import AppConfig


class ActeursConfig(AppConfig):
    name = "geoapp.acteurs"
    label = "acteurs"
    verbose_name = "Acteurs et référentiels"
