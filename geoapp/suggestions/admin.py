from django.contrib import admin

from . import models, services


class ChangementInline(admin.TabularInline):
    model = models.ChangementSuggestion
    extra = 0
    readonly_fields = ("champ", "ancienne_valeur", "nouvelle_valeur")
    can_delete = False


@admin.register(models.GroupeSuggestion)
class GroupeSuggestionAdmin(admin.ModelAdmin):
    list_display = ("identifiant_unique", "source", "statut", "cohorte", "modifie_le")
    list_filter = ("statut", "source", "cohorte__type")
    search_fields = ("identifiant_unique",)
    readonly_fields = ("cohorte", "source", "identifiant_unique", "donnees", "empreinte", "message")
    inlines = [ChangementInline]
    actions = ["valider", "rejeter", "appliquer"]

    @admin.action(description="Valider les suggestions choisies")
    def valider(self, request, queryset):
        n = services.suggestion_groupes_set_statut(groupe_ids=list(queryset.values_list("pk", flat=True)),
                                                   statut=models.StatutSuggestion.VALIDEE)
        self.message_user(request, f"{n} suggestion(s) validée(s)")

    @admin.action(description="Rejeter les suggestions choisies")
    def rejeter(self, request, queryset):
        n = services.suggestion_groupes_set_statut(groupe_ids=list(queryset.values_list("pk", flat=True)),
                                                   statut=models.StatutSuggestion.REJETEE)
        self.message_user(request, f"{n} suggestion(s) rejetée(s)")

    @admin.action(description="Appliquer les suggestions validées de ces sources")
    def appliquer(self, request, queryset):
        # enrichment groups are written on the revisions, the others on the imported acteurs
        counts = services.suggestions_apply(source_codes=sorted(set(queryset.values_list("source_id", flat=True))))
        self.message_user(request, f"{counts['appliquees']} appliquée(s), {counts['erreurs']} en erreur")


@admin.register(models.CohorteSuggestion)
class CohorteSuggestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "type", "cree_le")
    list_filter = ("type",)


@admin.register(models.ExecutionSource)
class ExecutionSourceAdmin(admin.ModelAdmin):
    list_display = ("flux", "run_id", "statut", "debut", "fin", "message_court")
    list_filter = ("statut", "flux")
    readonly_fields = ("run_id", "flux", "sources", "statut", "compteurs", "message", "debut", "fin")

    @admin.display(description="message")
    def message_court(self, obj):
        return obj.message if len(obj.message) <= 120 else obj.message[:119] + "…"


@admin.register(models.PolitiqueSource)
class PolitiqueSourceAdmin(admin.ModelAdmin):
    list_display = ("source", "politique")
    list_editable = ("politique",)
