from django.contrib import admin

from .models import ExportDonnees


@admin.register(ExportDonnees)
class ExportDonneesAdmin(admin.ModelAdmin):
    list_display = ("jour", "format", "lignes", "taille", "version_schema", "cree_le")
    list_filter = ("format",)
    readonly_fields = [f.name for f in ExportDonnees._meta.fields]

    def has_add_permission(self, request):
        return False
