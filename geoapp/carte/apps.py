from django.apps import AppConfig


class CarteConfig(AppConfig):
    name = "geoapp.carte"
    label = "carte"
