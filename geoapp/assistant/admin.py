"""Back office of l'assistant: products with their synonyms and advice texts, the families'
advice, each with its history (who changed what, django-simple-history) and a preview of a
product's page before saving; the search log with the most frequent queries and those that found
nothing."""

from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, views
from .models import ConseilFamille, Produit, Recherche, Synonyme

CONSEILS = ("Conseils (vides : ceux de la famille)", {"fields": ("bon_etat", "abime", "reprise", "poubelle", "eviter")})


class SynonymeInline(admin.TabularInline):
    model = Synonyme
    extra = 3
    fields = ("nom",)


@admin.register(Produit)
class ProduitAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "slug", "code", "filieres_rep", "modifie_le")
    search_fields = ("nom", "slug", "synonymes__nom")
    list_filter = ("reprise_distributeur", "decheterie", "poubelle")
    prepopulated_fields = {"slug": ("nom",)}
    filter_horizontal = ("sous_categories",)
    inlines = [SynonymeInline]
    fieldsets = [
        (None, {"fields": ("nom", "slug", "code", "sous_categories")}),
        ("Reprises", {"fields": ("filieres_rep", "eco_organismes", "reprise_distributeur", "decheterie")}),
        CONSEILS,
    ]
    change_form_template = "admin/assistant/produit/change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_apercu" in request.POST:
            apercu = self._apercu(request, object_id)
            if apercu is not None:
                return apercu
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _apercu(self, request, object_id):
        """The product's page as it would be with the form's values (synonyms included): saved in a
        transaction that is rolled back, so nothing is written (history included). None when the
        form is invalid: the usual form then shows the errors."""
        obj = self.get_object(request, object_id) if object_id else None
        if object_id and obj is None:
            return None
        form = self.get_form(request, obj, change=obj is not None)(request.POST, request.FILES, instance=obj)
        if not form.is_valid():
            return None
        with transaction.atomic():
            produit = form.save()
            formsets, _ = self._create_formsets(request, produit, change=obj is not None)
            if not all(fs.is_valid() for fs in formsets):
                transaction.set_rollback(True)
                return None
            for fs in formsets:
                fs.save()
            response = views.produit_apercu(request, produit.slug)
            transaction.set_rollback(True)
        return response


@admin.register(Synonyme)
class SynonymeAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "produit")
    search_fields = ("nom", "produit__nom")
    autocomplete_fields = ("produit",)


@admin.register(ConseilFamille)
class ConseilFamilleAdmin(SimpleHistoryAdmin):
    list_display = ("categorie", "poubelle")
    fieldsets = [(None, {"fields": ("categorie",)}), CONSEILS]


@admin.register(Recherche)
class RechercheAdmin(admin.ModelAdmin):
    list_display = ("texte", "nombre_resultats", "produit", "rang", "cree_le")
    list_filter = ("cree_le",)
    search_fields = ("texte",)
    change_list_template = "admin/assistant/recherche/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {
            **(extra_context or {}),
            "frequentes": selectors.recherche_frequentes_list(limit=30),
            "sans_resultat": selectors.recherche_frequentes_list(limit=30, sans_resultat=True),
        })
