from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "geoapp.api"
    label = "api"
    verbose_name = "API GeoJSON"

    def ready(self):
        from geoapp.acteurs.displayed import displayed_published

        displayed_published.connect(_tile_cache_renew, dispatch_uid="api_tile_cache_renew")


def _tile_cache_renew(sender, **kwargs):
    from .services import tuile_cache_renew

    tuile_cache_renew()
