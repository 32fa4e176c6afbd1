from django.apps import AppConfig


class GeocodageConfig(AppConfig):
    name = "geoapp.geocodage"
    verbose_name = "géocodage"
    default_auto_field = "django.db.models.BigAutoField"
