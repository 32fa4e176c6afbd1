from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from . import models

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


class RevisionPropositionServiceInline(admin.TabularInline):
    model = models.RevisionPropositionService
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
    list_display = ("identifiant_unique", "nom", "ville", "source", "statut")
    list_filter = ("source", "statut", "acteur_type")
    search_fields = ("identifiant_unique", "nom", "nom_commercial", "siret", "ville", "code_postal")
    readonly_fields = ("identifiant_unique", "uuid", "source", "identifiant_externe", "cree_le", "modifie_le")
    fieldsets = (("Source", {"fields": ("identifiant_unique", "uuid", "source", "identifiant_externe")}),
                 *ACTEUR_FIELDSETS_COMMON)
    inlines = [PropositionServiceInline]


@admin.register(models.RevisionActeur)
class RevisionActeurAdmin(LeafletGeoAdmin):
    list_display = ("identifiant_unique", "nom", "ville", "parent", "statut")
    list_filter = ("statut",)
    search_fields = ("identifiant_unique", "nom", "ville")
    autocomplete_fields = ("parent",)
    fieldsets = (("Révision", {"fields": ("identifiant_unique", "uuid", "parent")}), *ACTEUR_FIELDSETS_COMMON)
    inlines = [RevisionPropositionServiceInline]


@admin.register(models.DisplayedActeur)
class DisplayedActeurAdmin(LeafletGeoAdmin):
    """Read-only: the displayed acteurs are computed; correct them through a revision."""

    list_display = ("identifiant_unique", "nom", "ville", "acteur_type")
    search_fields = ("identifiant_unique", "nom", "ville", "code_postal")
    list_filter = ("acteur_type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
