import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from csp.decorators import csp_replace

from .fond import tuile_fond_png
from .selectors import carte_configuration_get, carte_filtres_get, carte_libelles_get, objet_index_list


def _carte_context(*, embarque: bool, preset: dict, titre: str) -> dict:
    return {
        "embarque": embarque,
        "titre": titre,
        "filtres": carte_filtres_get(),
        # the PMTiles archive of the low-zoom tiles (issue 18), read by carte/tuiles_source.js
        "tuiles_config": {"pmtiles": settings.MAP_PMTILES_URL},
        # rendered by `json_script` (escaped: a label cannot close the <script>), read by carte.js
        "config": {
            "tiles": settings.MAP_TILES_URL,
            "attribution": settings.LEAFLET_CONFIG["TILES"][0][2].get("attribution", ""),
            "centre": settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
            "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
            "rayon": settings.CARTE_RAYON_M,
            "limite": settings.CARTE_RESULTATS_MAX,
            "preset": preset,
            "libelles": carte_libelles_get(),
            "groupes": {g["code"]: g for g in carte_filtres_get()["groupes"]},
            "urls": {"acteurs": "/api/v1/acteurs", "communes": "/api/v1/communes", "adresses": "/api/v1/adresses",
                     "objets": reverse("carte:objets")},
        },
    }


def carte(request):
    return render(request, "carte/carte.html", _carte_context(embarque=False, preset={}, titre="La carte"))


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def carte_embarquee(request, slug: str):
    config = carte_configuration_get(slug=slug)
    if config is None:
        raise Http404("carte inconnue")
    return render(request, "carte/carte.html",
                  _carte_context(embarque=True, preset=config.parametres(), titre=config.titre))


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def carte_integree(request):
    """The map without a saved configuration, for a page of this site to frame (l'assistant's
    product pages): the search comes from the URL parameters alone."""
    return render(request, "carte/carte.html",
                  _carte_context(embarque=True, preset={}, titre="Les lieux près de chez vous"))


def carte_script(request, slug: str):
    """`<script src=".../carte/<slug>/embed.js"></script>` puts the map in an iframe where it stands."""
    if carte_configuration_get(slug=slug) is None:
        raise Http404("carte inconnue")
    src = request.build_absolute_uri(reverse("carte:embarquee", args=[slug]))
    js = (
        "(function(){var s=document.currentScript,f=document.createElement('iframe');"
        f"f.src={json.dumps(src)};f.title='Carte : où réparer, donner, vendre, louer ou déposer un objet';"
        "f.style.width='100%';f.style.height=(s.dataset.height||'600')+'px';f.style.border='0';"
        "f.setAttribute('allow','geolocation');s.parentNode.insertBefore(f,s.nextSibling);})();"
    )
    response = HttpResponse(js, content_type="text/javascript; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@cache_control(public=True, max_age=86400)
def objets(request):
    return JsonResponse([{"nom": o["nom"], "cle": o["cle"], "sous_categories": o["sous_categories"]}
                         for o in objet_index_list()], safe=False)


@cache_control(public=True, max_age=86400)
def fond(request, z: int, x: int, y: int):
    return HttpResponse(tuile_fond_png(), content_type="image/png")
