from django.apps import AppConfig


class DonneesConfig(AppConfig):
    name = "geoapp.donnees"
    label = "donnees"
    verbose_name = "Données ouvertes"
