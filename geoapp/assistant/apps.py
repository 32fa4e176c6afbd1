from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "geoapp.assistant"
    label = "assistant"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (the cached searches follow the products)
