from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "geoapp.api"
    label = "api"
    verbose_name = "API GeoJSON"

    def ready(self):
        from geoapp.acteurs.displayed import displayed_published

        displayed_published.connect(_tuile_cache_invalidate, dispatch_uid="api_tuile_cache_invalidate")


def _tuile_cache_invalidate(sender, **kwargs):
    """A publication only invalidates: the tiles are computed ahead by their own step."""
    from .services import tuile_cache_invalidate

    tuile_cache_invalidate()
