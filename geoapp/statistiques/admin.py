from django.contrib import admin

from .models import ReleveStatistique, ValeurStatistique


class ValeurInline(admin.TabularInline):
    model = ValeurStatistique
    extra = 0
    can_delete = False
    readonly_fields = ("indicateur", "cle", "valeur")


@admin.register(ReleveStatistique)
class ReleveStatistiqueAdmin(admin.ModelAdmin):
    list_display = ("jour", "complet", "cree_le")
    readonly_fields = ("jour", "complet", "cree_le")
    inlines = [ValeurInline]

    def has_add_permission(self, request):
        return False
