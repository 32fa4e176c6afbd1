from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "geoapp.backoffice"
    label = "backoffice"
