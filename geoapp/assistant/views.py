"""L'assistant's pages (home, search results, product, family, the embeddable assistant) and its
API (`/api/v1/produits`). Thin: parse (filters.py), read (selectors.py), write (services.py)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from geoapp.acteurs.selectors import displayed_acteur_count, source_list_with_counts
from geoapp.api.filters import ParametreInvalide
from geoapp.api.serializers import ErreurSerializer
from geoapp.api.views import PremierRendu

from . import selectors, serializers, services
from .filters import choix_parse, recherche_parse, texte_parse

RESULTATS_PAGE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")


def _url(name: str, *args, embarque: bool = False, **params) -> str:
    url = reverse(f"assistant:{'embarque_' if embarque else ''}{name}", args=args)
    return url + ("?" + urlencode(params) if params else "")


def _invalide(request, e: ParametreInvalide, *, embarque: bool = False) -> HttpResponse:
    return render(request, "assistant/erreur.html", {"erreur": e.message, "parametre": e.parametre,
                                                     "embarque": embarque}, status=400)


def _config(*, embarque: bool, **extra) -> dict:
    """What the pages' script needs (passed with json_script)."""
    return {"urls": {"produits": reverse("assistant_api:produits"), "adresses": "/api/v1/adresses",
                     "choix": _url("choix", embarque=embarque), "carte": reverse("carte:carte"),
                     "carte_integree": reverse("carte:integree")},
            **extra}


# --- pages -------------------------------------------------------------------------------------


def _accueil(request, *, embarque: bool):
    acteurs_count = displayed_acteur_count()
    return render(request, "assistant/accueil.html", {
        "embarque": embarque,
        "familles": selectors.famille_list(),
        "acteurs_count": acteurs_count,
        "sources": [] if embarque else [s for s in source_list_with_counts() if s["acteurs_count"]],
        "config": _config(embarque=embarque),
    })


def accueil(request):
    return _accueil(request, embarque=False)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def embarque_accueil(request):
    """The assistant for partners' pages: `?objet=<text>` opens the best product for that text."""
    try:
        objet = texte_parse(request.GET, "objet", requis=False)
    except ParametreInvalide as e:
        return _invalide(request, e, embarque=True)
    if objet:
        produit = selectors.produit_get(slug=objet)
        if produit is None:
            best = selectors.produit_search(q=objet, limit=1)
            if best:
                return HttpResponseRedirect(_url("produit", best[0].slug, embarque=True, objet=best[0].synonyme))
        else:
            return HttpResponseRedirect(_url("produit", produit.slug, embarque=True))
    return _accueil(request, embarque=True)


def _recherche(request, *, embarque: bool):
    try:
        q = texte_parse(request.GET, "q")
    except ParametreInvalide as e:
        return _invalide(request, e, embarque=embarque)
    resultats = selectors.produit_search(q=q, limit=RESULTATS_PAGE)
    journal = services.recherche_record(texte=q, nombre_resultats=len(resultats))
    return render(request, "assistant/recherche.html", {
        "embarque": embarque, "q": q,
        "resultats": [{"r": r, "url": _url("choix", embarque=embarque, recherche=journal.pk, produit=r.slug, rang=i,
                                           objet=r.synonyme)}
                      for i, r in enumerate(resultats, start=1)],
        "carte_url": reverse("carte:carte"),
        "familles": selectors.famille_list() if not resultats else [],
        "config": _config(embarque=embarque),
    })


def recherche(request):
    return _recherche(request, embarque=False)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def embarque_recherche(request):
    return _recherche(request, embarque=True)


def _choix(request, *, embarque: bool):
    """A chosen result: logged (the search's text, its number of results, the product and its
    rank; nothing about who), then the product's page."""
    try:
        choix = choix_parse(request.GET)
    except ParametreInvalide as e:
        return _invalide(request, e, embarque=embarque)
    produit = selectors.produit_get(slug=choix["produit"])
    if produit is None:
        raise Http404("produit inconnu")
    if "recherche" in choix:
        services.recherche_choix_record(recherche_id=choix["recherche"], produit=produit, rang=choix["rang"])
    elif choix["q"]:
        services.recherche_record(texte=choix["q"], nombre_resultats=choix["n"], produit=produit, rang=choix["rang"])
    return HttpResponseRedirect(_url("produit", produit.slug, embarque=embarque,
                                     **({"objet": choix["objet"]} if choix["objet"] else {})))


def choix(request):
    return _choix(request, embarque=False)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def embarque_choix(request):
    return _choix(request, embarque=True)


def _produit(request, slug: str, *, embarque: bool, apercu: bool = False):
    produit = selectors.produit_get(slug=slug)
    if produit is None:
        raise Http404("produit inconnu")
    try:
        objet = texte_parse(request.GET, "objet", requis=False, maximum=255)
        etat = texte_parse(request.GET, "etat", requis=False, maximum=20) or "bon_etat"
        if etat not in selectors.ETATS:
            raise ParametreInvalide("etat", "état inconnu : bon_etat ou abime")
    except ParametreInvalide as e:
        return _invalide(request, e, embarque=embarque)
    conseils = selectors.produit_conseils_get(produit=produit)
    synonymes = [s.nom for s in produit.synonymes.all() if s.nom != produit.nom]
    sous_categories = [sc for sc in produit.sous_categories.all() if sc.afficher_carte]
    familles = list({sc.categorie_id: sc.categorie for sc in produit.sous_categories.all()}.values())
    carte = urlencode({"sous_categorie": ",".join(sc.code for sc in sous_categories),
                       "action": ",".join(a["code"] for a in conseils.actions[etat]), "objet": objet or produit.nom})
    return render(request, "assistant/produit.html", {
        "embarque": embarque, "apercu": apercu, "produit": produit, "conseils": conseils, "etat": etat,
        "etats": selectors.ETATS,
        "carte_src": reverse("carte:integree") + "?" + carte, "carte_lien": reverse("carte:carte") + "?" + carte,
        "objet": objet if objet in synonymes else "", "synonymes": synonymes, "familles": familles,
        "sous_categories": sous_categories,
        "config": _config(embarque=embarque, produit={
            "nom": produit.nom, "sous_categories": [sc.code for sc in sous_categories],
            "actions": {e: [a["code"] for a in acts] for e, acts in conseils.actions.items()}, "etat": etat,
        }),
    })


def produit(request, slug: str):
    return _produit(request, slug, embarque=False)


def produit_apercu(request, slug: str):
    """The back office's preview (geoapp/assistant/admin.py), inside its rolled-back transaction."""
    return _produit(request, slug, embarque=False, apercu=True)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def embarque_produit(request, slug: str):
    return _produit(request, slug, embarque=True)


def famille(request, code: str):
    categorie = selectors.famille_get(code=code)
    if categorie is None:
        raise Http404("famille inconnue")
    return render(request, "assistant/famille.html", {
        "famille": categorie, "produits": selectors.famille_produit_list(code=code), "embarque": False,
        "config": _config(embarque=False)})


def script(request):
    """`<script src=".../assistant/embed.js" data-objet="lave-linge"></script>` puts the assistant
    in an iframe where it stands (`data-objet`: a product's slug or any text, optional)."""
    src = request.build_absolute_uri(reverse("assistant:embarque_accueil"))
    js = (
        "(function(){var s=document.currentScript,f=document.createElement('iframe'),"
        f"u={json.dumps(src)};if(s.dataset.objet)u+='?objet='+encodeURIComponent(s.dataset.objet);"
        "f.src=u;f.title=\"L'assistant : que faire de cet objet ?\";"
        "f.style.width='100%';f.style.height=(s.dataset.height||'700')+'px';f.style.border='0';"
        "f.setAttribute('allow','geolocation');s.parentNode.insertBefore(f,s.nextSibling);})();"
    )
    response = HttpResponse(js, content_type="text/javascript; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- API -----------------------------------------------------------------------------------------

ERREUR = OpenApiResponse(ErreurSerializer, description="paramètre invalide (`parametre` le nomme)")


def _resultat(r: selectors.ResultatProduit) -> dict:
    return {"nom": r.nom, "slug": r.slug, "url": reverse("assistant:produit", args=[r.slug]),
            "synonyme": r.synonyme, "sous_categories": r.sous_categories}


class ProduitRechercheView(APIView):
    """Asked at each keystroke: JSON only, no `Accept` negotiation."""
    renderer_classes = [JSONRenderer]
    content_negotiation_class = PremierRendu

    @extend_schema(
        summary="Chercher un produit (objet) par son nom ou un synonyme",
        operation_id="produits_list",
        description="Sans accents ni majuscules, tolérant une ou deux fautes de frappe, les pluriels, un mot "
                    "tapé à moitié et les formulations (« vieux canapé ») ; le même texte exact, puis ceux qui "
                    "commencent par la recherche, d'abord.",
        parameters=[OpenApiParameter("q", str, required=True, description="le texte cherché (au plus 200 caractères)"),
                    OpenApiParameter("limit", int, description="nombre de produits (défaut 5, au plus 20)")],
        responses={200: serializers.ProduitRechercheSerializer, 400: ERREUR},
    )
    def get(self, request):
        q, limit = recherche_parse(request.query_params)
        return Response({"results": [_resultat(r) for r in selectors.produit_search_en_cache(q=q, limit=limit)]})


class ProduitDetailView(APIView):
    renderer_classes = [JSONRenderer]

    @extend_schema(summary="Un produit, ses synonymes et ce qu'on peut en faire", operation_id="produits_retrieve",
                   responses={200: serializers.ProduitSerializer,
                              404: OpenApiResponse(ErreurSerializer, description="produit inconnu")})
    def get(self, request, slug: str):
        produit = selectors.produit_get(slug=slug) if SLUG.fullmatch(slug) else None  # a NUL byte never reaches SQL
        if produit is None:
            raise NotFound(f"aucun produit « {slug} »")
        conseils = selectors.produit_conseils_get(produit=produit)
        scs = list(produit.sous_categories.all())
        return Response({
            "nom": produit.nom, "slug": produit.slug, "url": produit.get_absolute_url(),
            "synonymes": [s.nom for s in produit.synonymes.all()],
            "sous_categories": [sc.code for sc in scs],
            "familles": list(dict.fromkeys(sc.categorie_id for sc in scs)),
            "filieres_rep": produit.filieres_rep, "eco_organismes": produit.eco_organismes,
            "reprise_distributeur": produit.reprise_distributeur, "decheterie": produit.decheterie,
            "actions": {e: [a["code"] for a in acts] for e, acts in conseils.actions.items()},
            "conseils": {"bon_etat": conseils.bon_etat, "abime": conseils.abime, "reprise": conseils.reprise,
                         "poubelle": conseils.poubelle, "eviter": conseils.eviter},
        })
