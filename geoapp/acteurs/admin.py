from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import corrections, models

for model in (models.ActionDirection, models.GroupeAction, models.CategorieObjet, models.ActeurType,
              models.LabelQualite, models.Source):
    admin.site.register(model, list_display=("code", "libelle"), search_fields=("code", "libelle"))


@admin.register(models.Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle", "groupe_action", "order")
    list_filter = ("groupe_action",)


@admin.register(models.SousCategorieObjet)
class SousCategorieObjetAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle", "categorie")
    list_filter = ("categorie",)
    search_fields = ("code", "libelle")


@admin.register(models.ActeurService)
class ActeurServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle")
    filter_horizontal = ("actions",)


class PropositionServiceInline(admin.TabularInline):
    model = models.PropositionService
    extra = 0
    autocomplete_fields = ("sous_categories",)


ACTEUR_FIELDSETS_COMMON = (
    ("Identité", {"fields": ("nom", "nom_commercial", "nom_officiel", "acteur_type", "description",
                             "siren", "siret", "naf_principal", "statut")}),
    ("Adresse", {"fields": ("adresse", "adresse_complement", "code_postal", "ville", "code_commune_insee", "location")}),
    ("Contact", {"fields": ("url", "email", "telephone", "horaires_osm", "horaires_description")}),
    ("Accueil", {"fields": ("public_accueilli", "reprise", "exclusivite_de_reprisereparation", "uniquement_sur_rdv",
                            "lieu_prestation", "perimetre_rayon_km", "perimetre_departements", "perimetre_zone")}),
    ("Labels et services", {"fields": ("labels", "acteur_services", "commentaires")}),
)


@admin.register(models.Acteur)
class ActeurAdmin(LeafletGeoAdmin):
    """Imported acteurs are read-only: the next import would undo an edit made here. Staff
    correct them through their revision (*Corriger*), which keeps the imported value beside."""

    list_display = ("identifiant_unique", "nom", "ville", "source", "statut", "corriger")
    list_filter = ("source", "statut", "acteur_type")
    search_fields = ("identifiant_unique", "nom", "nom_commercial", "siret", "ville", "code_postal")
    fieldsets = (("Source", {"fields": ("identifiant_unique", "uuid", "source", "identifiant_externe", "corriger")}),
                 *ACTEUR_FIELDSETS_COMMON)
    inlines = [PropositionServiceInline]
    modifiable = False  # the maps show the imported location, not for editing
    actions = ["faire_un_parent"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.get_fields() if f.concrete or f.many_to_many] + ["corriger"]

    def has_add_permission(self, request):
        return False

    def get_inlines(self, request, obj):
        return [ReadOnlyPropositionInline]

    @admin.display(description="correction")
    def corriger(self, obj):
        return corrections.corriger_lien(identifiant=obj.pk)

    def has_fusionner_permission(self, request):
        return request.user.has_perm("acteurs.fusionner_revisionacteur")

    @admin.action(description="Faire un parent des acteurs sélectionnés (doublons)", permissions=["fusionner"])
    def faire_un_parent(self, request, queryset):
        return corrections.parent_depuis_selection(self, request, list(queryset.values_list("pk", flat=True)))


class ReadOnlyPropositionInline(PropositionServiceInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.RevisionActeur)
class RevisionActeurAdmin(SimpleHistoryAdmin, LeafletGeoAdmin):
    """Staff corrections: each field beside the imported value (*Copier*, *Réinitialiser*), the
    location on a map with an address search and a draggable marker, the service area drawn. A
    revision without imported acteur is an acteur made by staff. Saving refreshes the displayed
    acteurs it touches at once; every change is kept in its history (who, when, before, after)."""

    form = corrections.RevisionActeurForm
    change_form_template = "admin/acteurs/revisionacteur/change_form.html"
    list_display = ("identifiant_unique", "nom", "ville", "parent", "statut")
    list_filter = ("statut",)
    search_fields = ("identifiant_unique", "nom", "ville")
    autocomplete_fields = ("parent",)
    readonly_fields = ("enfants_et_provenance", "propositions_lecture")
    fieldsets = (("Révision", {"fields": ("identifiant_unique", "uuid", "parent", "enfants_et_provenance")}),
                 *ACTEUR_FIELDSETS_COMMON,
                 ("Propositions de service", {"fields": ("propositions",)}),
                 # revision.js puts each box beside its field ("Forcer vide")
                 ("Champs forcés vides", {"fields": ("champs_vides",), "classes": ("champs-vides",)}))
    actions = ["detacher"]
    history_list_display = ("statut",)

    class Media:
        js = ("acteurs/revision.js",)
        css = {"all": ("acteurs/revision.css",)}

    @admin.display(description="enfants (doublons fusionnés)")
    def enfants_et_provenance(self, obj):
        return corrections.enfants_et_provenance(revision=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        identifiant = object_id or request.GET.get("identifiant_unique", "")
        extra_context = {**(extra_context or {}), **corrections.revision_contexte(identifiant=identifiant)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_fieldsets(self, request, obj=None):
        """Read-only (a `lecteur`), the grid is shown as the list of the propositions displayed."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj) if obj else self.has_add_permission(request):
            return fieldsets
        return [(name, {**options, "fields": tuple("propositions_lecture" if f == "propositions" else f
                                                   for f in options["fields"])}) for name, options in fieldsets]

    @admin.display(description="propositions de service")
    def propositions_lecture(self, obj):
        return corrections.propositions_lecture(revision=obj)

    def save_model(self, request, obj, form, change):
        corrections.revision_identifier(revision=obj)
        obj._change_reason = form.propositions_resume() or None  # the history's line for the grid
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        corrections.revision_propositions_enregistrer(form=form)
        corrections.rafraichir_apres_commit(request, [form.instance.pk])

    def delete_model(self, request, obj):
        identifiant = obj.pk
        super().delete_model(request, obj)
        corrections.rafraichir_apres_commit(request, [identifiant])

    def delete_queryset(self, request, queryset):
        identifiants = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        corrections.rafraichir_apres_commit(request, identifiants)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each change's fields before → after; the creation's, the values it was created with."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            if record.history_type == "+":
                record.history_delta_changes = corrections.revision_creation_valeurs(record=record)

    def has_fusionner_permission(self, request):
        return request.user.has_perm("acteurs.fusionner_revisionacteur")

    @admin.action(description="Détacher de leur parent", permissions=["fusionner"])
    def detacher(self, request, queryset):
        identifiants = corrections.revision_detacher(identifiants=list(queryset.values_list("pk", flat=True)))
        corrections.rafraichir_apres_commit(request, identifiants)
        self.message_user(request, f"{len(identifiants)} acteur(s) détaché(s) de leur parent.")


@admin.register(models.DisplayedActeur)
class DisplayedActeurAdmin(LeafletGeoAdmin):
    """Read-only: the displayed acteurs are computed; correct them through a revision. The list's
    acteurs are also on a map, where a click selects one (for *Faire un parent*)."""

    change_list_template = "admin/acteurs/displayedacteur/change_list.html"
    list_display = ("identifiant_unique", "nom", "ville", "acteur_type", "nombre_enfants", "corriger")
    search_fields = ("identifiant_unique", "nom", "ville", "code_postal")
    list_filter = ("acteur_type",)
    actions = ["faire_un_parent"]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            response.context_data.update(corrections.selection_carte_contexte(acteurs=response.context_data["cl"].result_list))
        return response

    @admin.display(description="enfants")
    def nombre_enfants(self, obj):
        return len(obj.enfants) or ""

    @admin.display(description="correction")
    def corriger(self, obj):
        return corrections.corriger_lien(identifiant=obj.pk)

    def has_fusionner_permission(self, request):
        return request.user.has_perm("acteurs.fusionner_revisionacteur")

    @admin.action(description="Faire un parent des acteurs sélectionnés (doublons)", permissions=["fusionner"])
    def faire_un_parent(self, request, queryset):
        return corrections.parent_depuis_selection(self, request, list(queryset.values_list("pk", flat=True)))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
