from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import Commune, Departement, Epci


@admin.register(Commune)
class CommuneAdmin(LeafletGeoAdmin):
    list_display = ("code", "nom", "type", "departement", "epci")
    list_filter = ("type", "departement")
    search_fields = ("code", "nom", "codes_postaux")


@admin.register(Epci)
class EpciAdmin(LeafletGeoAdmin):
    list_display = ("code", "nom", "type", "population")
    search_fields = ("code", "nom")


@admin.register(Departement)
class DepartementAdmin(LeafletGeoAdmin):
    list_display = ("code", "nom", "region")
    search_fields = ("code", "nom")
