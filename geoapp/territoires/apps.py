from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "geoapp.territoires"
    label = "territoires"
    verbose_name = "Territoires"
