from django.apps import AppConfig


class StatistiquesConfig(AppConfig):
    name = "geoapp.statistiques"
    label = "statistiques"
    verbose_name = "Statistiques"
