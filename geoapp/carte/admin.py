from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import CarteConfiguration


@admin.register(CarteConfiguration)
class CarteConfigurationAdmin(LeafletGeoAdmin):
    list_display = ("slug", "titre", "vue", "nombre_resultats", "modifie_le")
    search_fields = ("slug", "titre")
