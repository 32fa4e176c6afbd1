"""The back office's screens over the suggestions and the partner maps: the cohort list (kind,
counts per status, filters), a cohort's page (bulk decisions, *Appliquer*, its applies' state and
report), a group's review page (field by field, a small map, edit then accept, reject, next), and
the map configurations (map widgets, live preview, the snippets to copy). The plain admins of
`geoapp/suggestions` and `geoapp/carte` are registered first and replaced here."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html

from geoapp.carte import admin as carte_admin
from geoapp.carte.models import CarteConfiguration
from geoapp.suggestions import admin as suggestions_admin
from geoapp.suggestions import applications, services
from geoapp.suggestions.models import CohorteSuggestion, GroupeSuggestion, StatutSuggestion
from geoapp.suggestions.regroupements import SOURCE_DEDOUBLONNAGE

from . import selectors
from .saisie import valeur_afficher, valeur_saisie_lire

for _model in (GroupeSuggestion, CohorteSuggestion, CarteConfiguration):
    admin.site.unregister(_model)

PERM_VALIDER, PERM_APPLIQUER = "suggestions.valider_groupesuggestion", "suggestions.appliquer_groupesuggestion"


def _decider(modeladmin, request, groupes: list[GroupeSuggestion], statut: str, message: str) -> int:
    """Validate or reject groups, each decision in the history (who, when, what); a group already
    applied or rejected stays as it is, and unrecorded."""
    groupes = [g for g in groupes if g.statut in selectors.MODIFIABLE]
    n = services.suggestion_groupes_set_statut(groupe_ids=[g.pk for g in groupes], statut=statut)
    for groupe in groupes:
        modeladmin.log_change(request, groupe, message)
    return n


# --- Suggestions: a group, reviewed -----------------------------------------------------------------


@admin.register(GroupeSuggestion)
class RevueGroupeAdmin(suggestions_admin.GroupeSuggestionAdmin):
    list_display = ("identifiant_unique", "source", "statut", "cohorte", "modifie_le")
    list_select_related = ("cohorte__execution", "source")

    def lookup_allowed(self, lookup, value, request=None):
        # a cohort's page links to its groups (`?cohorte__id__exact=`), filtered further here
        return lookup in ("cohorte__id__exact", "changements__champ") or super().lookup_allowed(lookup, value, request)

    @admin.action(description="Valider les suggestions choisies", permissions=["valider"])
    def valider(self, request, queryset):
        n = _decider(self, request, list(queryset), StatutSuggestion.VALIDEE, "Validée")
        self.message_user(request, f"{n} suggestion(s) validée(s)")

    @admin.action(description="Rejeter les suggestions choisies", permissions=["valider"])
    def rejeter(self, request, queryset):
        n = _decider(self, request, list(queryset), StatutSuggestion.REJETEE, "Rejetée")
        self.message_user(request, f"{n} suggestion(s) rejetée(s)")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        groupe = self.get_object(request, object_id)
        if groupe is None:
            raise Http404("suggestion inconnue")
        if not self.has_view_or_change_permission(request, groupe):
            raise PermissionDenied
        if groupe.source_id == SOURCE_DEDOUBLONNAGE:  # a cluster: its members taken out or split (RegroupementForm)
            return super().change_view(request, object_id, form_url, extra_context)
        peut_valider = self.has_valider_permission(request)
        erreurs: dict[str, str] = {}
        saisies: dict[str, str] = {}
        if request.method == "POST":
            if not peut_valider:
                raise PermissionDenied  # 403: reviewing takes the permission to validate
            reponse = self._decision(request, groupe, erreurs, saisies)
            if reponse is not None:
                return reponse
        revue = selectors.groupe_revue(groupe=groupe)
        for ligne in revue["lignes"]:
            for cle in ("importee", "correction", "affichee", "proposee", "de_la_source"):
                ligne[f"{cle}_texte"] = valeur_afficher(champ=ligne["champ"], valeur=ligne[cle])
            ligne["saisie"] = saisies.get(ligne["champ"], ligne["proposee_texte"])
            ligne["erreur"] = erreurs.get(ligne["champ"], "")
        suivant, precedent = selectors.groupe_voisin(groupe=groupe), selectors.groupe_voisin(groupe=groupe, suivant=False)
        url = lambda g: reverse("admin:suggestions_groupesuggestion_change", args=[g.pk]) if g else ""  # noqa: E731
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": f"Suggestion : {groupe.identifiant_unique}",
            "groupe": groupe, "revue": revue, "nature": selectors.cohorte_nature(cohorte=groupe.cohorte),
            "peut_valider": peut_valider and groupe.statut in selectors.MODIFIABLE,
            "url_suivant": url(suivant), "url_precedent": url(precedent),
            "url_cohorte": reverse("admin:suggestions_cohortesuggestion_change", args=[groupe.cohorte_id]),
            "url_historique": reverse("admin:suggestions_groupesuggestion_history", args=[groupe.pk]),
            "carte": {"tiles": settings.MAP_TILES_URL, **revue["positions"]},
            "contexte": {k: v for k, v in (groupe.donnees or {}).items()
                         if groupe.source_id == "enrichissement" and k != "corrections"},
            "erreurs": erreurs,
        }
        return TemplateResponse(request, "backoffice/groupe.html", context, status=400 if erreurs else 200)

    def _decision(self, request, groupe, erreurs, saisies):
        """Accept (with the values as edited), reject or skip; then the next waiting group."""
        if "_accepter" in request.POST:
            valeurs = {}
            for cle, texte in request.POST.items():
                if not cle.startswith("valeur__"):
                    continue
                champ = cle.removeprefix("valeur__")
                saisies[champ] = texte
                try:
                    valeurs[champ] = valeur_saisie_lire(champ=champ, texte=texte)
                except ValueError as exc:
                    erreurs[champ] = str(exc)
            if erreurs:
                return None
            try:
                with transaction.atomic():
                    faits = services.suggestion_valeurs_modifier(groupe_id=groupe.pk, valeurs=valeurs) if valeurs else {}
                    if faits:
                        self.log_change(request, groupe, "; ".join(
                            f"{c} : « {valeur_afficher(champ=c, valeur=a)} » → « {valeur_afficher(champ=c, valeur=b)} »"
                            for c, (a, b) in faits.items()))
                    _decider(self, request, [groupe], StatutSuggestion.VALIDEE,
                             "Validée après modification" if faits else "Validée")
            except ValueError as exc:
                erreurs["general"] = str(exc)
                return None
            self.message_user(request, f"{groupe.identifiant_unique} : validée" + (" (valeurs modifiées)" if faits else ""))
        elif "_rejeter" in request.POST:
            _decider(self, request, [groupe], StatutSuggestion.REJETEE, "Rejetée")
            self.message_user(request, f"{groupe.identifiant_unique} : rejetée", messages.WARNING)
        suivant = selectors.groupe_voisin(groupe=groupe)
        if suivant is not None:
            return HttpResponseRedirect(reverse("admin:suggestions_groupesuggestion_change", args=[suivant.pk]))
        return HttpResponseRedirect(reverse("admin:suggestions_cohortesuggestion_change", args=[groupe.cohorte_id]))


# --- Suggestions: the cohorts --------------------------------------------------------------------


class NatureFilter(admin.SimpleListFilter):
    title, parameter_name = "nature", "nature"

    def lookups(self, request, model_admin):
        return (*selectors.NATURES_TYPES, *((code, libelle) for code, libelle, _ in selectors.NATURES))

    def queryset(self, request, queryset):
        return selectors.cohorte_filtrer_nature(cohortes=queryset, nature=self.value()) if self.value() else queryset


class AttenteFilter(admin.SimpleListFilter):
    title, parameter_name = "à revoir", "a_revoir"

    def lookups(self, request, model_admin):
        return (("oui", "avec des suggestions à valider"), ("non", "toutes décidées"))

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(n_a_valider__gt=0)
        if self.value() == "non":
            return queryset.filter(n_a_valider=0)
        return queryset


class CohorteDecisionForm(forms.Form):
    champ = forms.ChoiceField(required=False, label="seulement les suggestions qui changent")


@admin.register(CohorteSuggestion)
class CohorteAdmin(admin.ModelAdmin):
    list_display = ("cohorte", "sources", "execution_lien", "nature", "a_valider", "validees", "rejetees",
                    "appliquees", "erreurs", "cree_le")
    list_filter = (NatureFilter, AttenteFilter, "type", "execution__flux", "cree_le")
    search_fields = ("execution__flux", "execution__run_id")
    date_hierarchy = "cree_le"
    ordering = ("-cree_le",)
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.cohortes_avec_comptes(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="cohorte", ordering="execution__flux")
    def cohorte(self, obj):
        return f"{obj.execution.flux} – {obj.get_type_display()}"  # the row's link to the cohort's page

    @admin.display(description="sources")
    def sources(self, obj):
        return ", ".join(obj.execution.sources)

    @admin.display(description="exécution", ordering="execution__debut")
    def execution_lien(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:suggestions_executionsource_change",
                                                          args=[obj.execution_id]), obj.execution.run_id[:12])

    @admin.display(description="nature")
    def nature(self, obj):
        return selectors.cohorte_nature(cohorte=obj)

    def _compte(self, obj, statut: str):
        n = getattr(obj, f"n_{statut}", 0)
        if not n:
            return "0"
        url = reverse("admin:suggestions_groupesuggestion_changelist") + f"?cohorte__id__exact={obj.pk}&statut__exact={statut}"
        return format_html('<a href="{}">{}</a>', url, n)

    @admin.display(description="à valider", ordering="n_a_valider")
    def a_valider(self, obj):
        return self._compte(obj, StatutSuggestion.A_VALIDER)

    @admin.display(description="validées", ordering="n_validee")
    def validees(self, obj):
        return self._compte(obj, StatutSuggestion.VALIDEE)

    @admin.display(description="rejetées", ordering="n_rejetee")
    def rejetees(self, obj):
        return self._compte(obj, StatutSuggestion.REJETEE)

    @admin.display(description="appliquées", ordering="n_appliquee")
    def appliquees(self, obj):
        return self._compte(obj, StatutSuggestion.APPLIQUEE)

    @admin.display(description="en erreur", ordering="n_erreur")
    def erreurs(self, obj):
        return self._compte(obj, StatutSuggestion.ERREUR)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cohorte = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, cohorte):
            raise PermissionDenied
        peut_valider, peut_appliquer = request.user.has_perm(PERM_VALIDER), request.user.has_perm(PERM_APPLIQUER)
        champs = selectors.cohorte_champs(cohorte=cohorte)
        form = CohorteDecisionForm(request.POST or None)
        form.fields["champ"].choices = [("", "tous les champs"), *((c, c) for c in champs)]
        if request.method == "POST":
            if "_appliquer" in request.POST:
                if not peut_appliquer:
                    raise PermissionDenied
                application = applications.application_demander(source_codes=cohorte.execution.sources,
                                                                 demandee_par=request.user.get_username())
                self.message_user(request, f"Application lancée ({application}) : son état et son rapport "
                                           "s'affichent ci-dessous.")
                return HttpResponseRedirect(request.path)
            if not peut_valider:
                raise PermissionDenied
            if not form.is_valid():
                return HttpResponseBadRequest(f"champ : {form.errors.get('champ', '')}".encode())
            groupes = GroupeSuggestion.objects.filter(cohorte=cohorte, statut=StatutSuggestion.A_VALIDER)
            if form.cleaned_data["champ"]:
                groupes = groupes.filter(changements__champ=form.cleaned_data["champ"])
            groupe_admin = self.admin_site._registry[GroupeSuggestion]
            if "_tout_valider" in request.POST:
                n = _decider(groupe_admin, request, list(groupes), StatutSuggestion.VALIDEE, "Validée (en lot)")
                self.message_user(request, f"{n} suggestion(s) validée(s)")
            elif "_tout_rejeter" in request.POST:
                n = _decider(groupe_admin, request, list(groupes), StatutSuggestion.REJETEE, "Rejetée (en lot)")
                self.message_user(request, f"{n} suggestion(s) rejetée(s)", messages.WARNING)
            return HttpResponseRedirect(request.path)
        premier = GroupeSuggestion.objects.filter(cohorte=cohorte, statut=StatutSuggestion.A_VALIDER).order_by("pk").first()
        applis = list(selectors.cohorte_applications(cohorte=cohorte)[:10])
        for a in applis:
            a.etat = applications.application_etat_get(flow_run_id=a.flow_run_id)
        comptes = [(s.label, getattr(cohorte, nom)) for nom, s in selectors.STATUTS_COMPTES]
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": str(cohorte),
            "cohorte": cohorte, "nature": selectors.cohorte_nature(cohorte=cohorte), "comptes": comptes,
            "groupes": cohorte.groupes.order_by("pk")[:200], "form": form, "applications": applis,
            "peut_valider": peut_valider, "peut_appliquer": peut_appliquer,
            "url_revoir": reverse("admin:suggestions_groupesuggestion_change", args=[premier.pk]) if premier else "",
            "url_groupes": reverse("admin:suggestions_groupesuggestion_changelist") + f"?cohorte__id__exact={cohorte.pk}",
        }
        return TemplateResponse(request, "backoffice/cohorte.html", context)


# --- Partner maps ---------------------------------------------------------------------------------


@admin.register(CarteConfiguration)
class CarteConfigurationAdmin(carte_admin.CarteConfigurationAdmin):
    """Filters, number of results, view, centre and bounding box drawn on maps, the legend and the
    partner's branding (colour, name, link); a live preview of
    the embedded map (rebuilt from the form as it changes, `backoffice/carte_configuration.js`) and
    the iframe and script snippets to copy."""

    change_form_template = "backoffice/carte_configuration.html"
    fieldsets = (
        (None, {"fields": ("slug", "titre", "vue", "nombre_resultats")}),
        ("Filtres", {"fields": ("groupes_actions", "actions", "sous_categories", "labels", "sources",
                                "bonus_reparation")}),
        ("Vue par défaut", {"fields": ("centre", "bbox")}),
        ("Légende et marque", {"fields": ("legende", "filtres_visibles", "couleur", "partenaire_nom",
                                          "partenaire_url")}),
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["integration"] = None
        if obj is not None and obj.pk:
            src = request.build_absolute_uri(reverse("carte:embarquee", args=[obj.slug]))
            script = request.build_absolute_uri(reverse("carte:script", args=[obj.slug]))
            context["integration"] = {
                "iframe": f'<iframe src="{src}" title="{escape(obj.titre)}" width="100%" height="600" style="border:0" '
                          'allow="geolocation"></iframe>',
                "script": f'<script src="{script}" data-height="600"></script>',
            }
        context["apercu"] = {"base": reverse("carte:embarquee", args=[obj.slug]) if obj is not None and obj.pk
                             else reverse("carte:integree")}
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
