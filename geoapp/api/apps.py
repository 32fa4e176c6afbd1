from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "geoapp.api"
    label = "api"
    verbose_name = "API GeoJSON"
