from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from . import applications, models, regroupements, services


class RegroupementForm(forms.ModelForm):
    """A waiting cluster of duplicates (flow dedoublonnage): staff take members out of it, or
    split some of them into a cluster of their own. What they separate is never proposed
    together again."""

    retirer = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Retirer du regroupement",
        help_text="Ces acteurs ne seront plus jamais proposés avec les autres membres.")
    scinder = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Séparer dans un regroupement à part",
        help_text="Ces acteurs forment un autre regroupement (à valider) ; les deux parties ne seront plus proposées ensemble.")

    class Meta:
        model = models.GroupeSuggestion
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        donnees = self.instance.donnees or {}
        membres = donnees.get("membres") or {}
        choix = [(e, f"{(membres.get(e) or {}).get('nom') or e} ({e})") for e in donnees.get("nouveaux_enfants") or []]
        self.fields["retirer"].choices = self.fields["scinder"].choices = choix

    def clean(self):
        data = super().clean()
        if set(data.get("retirer") or []) & set(data.get("scinder") or []):
            raise forms.ValidationError("Un acteur se retire ou se sépare, pas les deux.")
        if (data.get("retirer") or data.get("scinder")) and self.instance.statut not in (
                models.StatutSuggestion.A_VALIDER, models.StatutSuggestion.VALIDEE, models.StatutSuggestion.ERREUR):
            raise forms.ValidationError("Ce regroupement ne se modifie plus.")
        return data


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

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and obj.source_id == regroupements.SOURCE_DEDOUBLONNAGE:
            kwargs["form"] = RegroupementForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if not isinstance(form, RegroupementForm):
            return super().save_model(request, obj, form, change)
        if form.cleaned_data.get("scinder"):
            regroupements.regroupement_scinder(groupe_id=obj.pk, partie=form.cleaned_data["scinder"])
        if form.cleaned_data.get("retirer"):
            regroupements.regroupement_membres_retirer(groupe_id=obj.pk, identifiants=form.cleaned_data["retirer"])

    def has_valider_permission(self, request):
        return request.user.has_perm("suggestions.valider_groupesuggestion")

    def has_appliquer_permission(self, request):
        return request.user.has_perm("suggestions.appliquer_groupesuggestion")

    # an action whose permission the user lacks is neither offered nor run (a forged POST of it
    # is answered "no action selected")
    @admin.action(description="Valider les suggestions choisies", permissions=["valider"])
    def valider(self, request, queryset):
        n = services.suggestion_groupes_set_statut(groupe_ids=list(queryset.values_list("pk", flat=True)),
                                                   statut=models.StatutSuggestion.VALIDEE)
        self.message_user(request, f"{n} suggestion(s) validée(s)")

    @admin.action(description="Rejeter les suggestions choisies", permissions=["valider"])
    def rejeter(self, request, queryset):
        n = services.suggestion_groupes_set_statut(groupe_ids=list(queryset.values_list("pk", flat=True)),
                                                   statut=models.StatutSuggestion.REJETEE)
        self.message_user(request, f"{n} suggestion(s) rejetée(s)")

    @admin.action(description="Appliquer les suggestions validées de ces sources", permissions=["appliquer"])
    def appliquer(self, request, queryset):
        # a Prefect flow run, outside this request (enrichment groups are written on the revisions,
        # the others on the imported acteurs)
        application = applications.application_demander(
            source_codes=list(queryset.values_list("source_id", flat=True)), demandee_par=request.user.get_username())
        url = reverse("admin:suggestions_applicationsuggestions_change", args=[application.pk])
        self.message_user(request, format_html("Application lancée ({} : {}) : suivez son état <a href=\"{}\">ici</a>.",
                                               application, "exécution Prefect", url))


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


@admin.register(models.ApplicationSuggestions)
class ApplicationSuggestionsAdmin(admin.ModelAdmin):
    """Read-only: each apply asked from the suggestions' list, with the state of its flow run."""

    list_display = ("pk", "demandee_le", "demandee_par", "sources", "etat", "compteurs", "fin")
    list_per_page = 20  # one Prefect API call per row (its state)
    readonly_fields = ("sources", "demandee_par", "demandee_le", "flow_run_id", "etat", "compteurs", "fin")

    @admin.display(description="état de l'exécution Prefect")
    def etat(self, obj):
        return applications.application_etat_get(flow_run_id=obj.flow_run_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
