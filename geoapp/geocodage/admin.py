from django.contrib import admin

from .models import GeocodageActeur


@admin.register(GeocodageActeur)
class GeocodageActeurAdmin(admin.ModelAdmin):
    list_display = ["acteur", "label", "score", "type_resultat", "backend", "signale", "geocode_le"]
    list_filter = ["signale", "backend", "type_resultat"]
    search_fields = ["acteur__identifiant_unique", "acteur__nom", "adresse", "label", "ban_id"]
    readonly_fields = ["geocode_le"]
