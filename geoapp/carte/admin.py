from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import CarteConfiguration, Contribution


@admin.register(CarteConfiguration)
class CarteConfigurationAdmin(LeafletGeoAdmin):
    list_display = ("slug", "titre", "vue", "nombre_resultats", "modifie_le")
    search_fields = ("slug", "titre")


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    """The contributors' e-mails: staff only; the proposals themselves are suggestions."""

    list_display = ("pk", "groupe", "email", "cree_le")
    readonly_fields = ("groupe", "email", "cree_le")
    search_fields = ("email", "groupe__identifiant_unique")
