from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "geoapp.assistant"
    label = "assistant"
