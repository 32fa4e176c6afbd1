import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from csp.decorators import csp_replace


from .fond import fond_tuile, fond_version
from .forms import ApparenceApercuForm, LieuForm, SignalementForm
from .services import contribution_lieu_proposer, contribution_quota_consommer, contribution_signalement_creer
from .models import CarteConfiguration
from .selectors import acteur_affiche_get, carte_configuration_get, carte_filtres_get, carte_libelles_get, objet_index_list


def _apparence(request, saved: dict) -> dict:
    """The legend and branding of an embedded map: the saved configuration's; the back office's
    live preview (`apercu=1`, staff allowed to edit configurations) gives unsaved ones in the URL."""
    if request.GET.get("apercu") == "1" and request.user.has_perm("carte.change_carteconfiguration"):
        return ApparenceApercuForm(request.GET).apparence(saved)
    return saved


def _carte_context(*, embarque: bool, preset: dict, titre: str, apparence: dict | None = None) -> dict:
    filtres = carte_filtres_get()
    preset_groupes = [g for g in preset.get("groupe_action", "").split(",") if g]
    return {
        "embarque": embarque,
        "titre": titre,
        # without a configuration, the defaults of one (legend, filters, no branding)
        "apparence": apparence or CarteConfiguration().apparence(),
        # the legend: the groups the preset shows (all without one)
        "legende": [g for g in filtres["groupes"] if not preset_groupes or g["code"] in preset_groupes],
        "filtres": filtres,
        # the PMTiles archive of the low-zoom tiles (issue 18), read by carte/tuiles_source.js
        "tuiles_config": {"pmtiles": settings.MAP_PMTILES_URL},
        # rendered by `json_script` (escaped: a label cannot close the <script>), read by carte.js
        "config": {
            # the background: raster tiles (Plan IGN by default) or the app's own from the contours
            "fond": {"type": "contours" if settings.MAP_TILES_URL == settings.MAP_TILES_CONTOURS else "raster",
                     "url": reverse("carte:fond", args=[0, 0, 0]).replace("0/0/0", "{z}/{x}/{y}")
                     if settings.MAP_TILES_URL == settings.MAP_TILES_CONTOURS else settings.MAP_TILES_URL,
                     "attribution": settings.MAP_TILES_ATTRIBUTION},
            "centre": settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
            "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
            "rayon": settings.CARTE_RAYON_M,
            "limite": settings.CARTE_RESULTATS_MAX,
            "preset": preset,
            "libelles": carte_libelles_get(),
            "groupes": {g["code"]: g for g in filtres["groupes"]},
            "urls": {"acteurs": "/api/v1/acteurs", "communes": "/api/v1/communes", "adresses": "/api/v1/adresses",
                     "objets": reverse("carte:objets"),
                     "tuiles": reverse("api:tile", args=[0, 0, 0]).replace("0/0/0", "{z}/{x}/{y}"),
                     "signaler": reverse("carte:signaler", args=["UUID"]), "proposer": reverse("carte:proposer")},
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
                  _carte_context(embarque=True, preset=config.parametres(), titre=config.titre,
                                 apparence=_apparence(request, config.apparence())))


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # partners frame it, from any origin
def carte_integree(request):
    """The map without a saved configuration, for a page of this site to frame (l'assistant's
    product pages): the search comes from the URL parameters alone."""
    return render(request, "carte/carte.html",
                  _carte_context(embarque=True, preset={}, titre="Les lieux près de chez vous",
                                 apparence=_apparence(request, CarteConfiguration().apparence())))


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


def fond(request, z: int, x: int, y: int):
    """The background drawn from the bundled contours (vector tile; `fond.py`)."""
    if not (0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z):
        return JsonResponse({"erreur": f"tuile {z}/{x}/{y} impossible : 0 ≤ z ≤ 22 et 0 ≤ x, y < 2^z",
                             "parametre": "tuile"}, status=400)
    version = fond_version()
    etag = f'"fond-{version}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(fond_tuile(z=z, x=x, y=y, version=version),
                                content_type="application/vnd.mapbox-vector-tile")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- citizens' contributions: server-rendered forms (errors in the page, nothing saved) ----------

QUOTA_ERREUR = "Trop de contributions envoyées depuis votre connexion : réessayez dans une heure."


def _contribution(request, *, form, titre: str, acteur=None, enregistrer):
    """GET: the form. POST: counted against the client's quota, validated, then saved by
    `enregistrer(cleaned_data)`; an invalid form (honeypot filled included) or a client over its
    quota gets the form back with its errors (400 / 429) and nothing is saved."""
    status = 200
    if request.method == "POST":
        if not contribution_quota_consommer(client=request.META.get("REMOTE_ADDR", "")):
            form.add_error(None, QUOTA_ERREUR)
            status = 429
        elif form.is_valid():
            enregistrer(form.cleaned_data)
            return redirect("carte:merci")
        else:
            status = 400
    return render(request, "carte/contribution.html",
                  {"form": form, "titre": titre, "acteur": acteur}, status=status)


def signaler(request, uuid: str):
    acteur = acteur_affiche_get(uuid=uuid)
    if acteur is None:
        raise Http404("lieu inconnu")
    form = SignalementForm(request.POST if request.method == "POST" else None)
    return _contribution(
        request, form=form, titre="Signaler une erreur / proposer une modification", acteur=acteur,
        enregistrer=lambda d: contribution_signalement_creer(acteur=acteur, motif=d["motif"], valeurs=d,
                                                             message=d["message"], email=d["email"]))


def proposer(request):
    groupes = [(g["code"], g["libelle"] or g["code"]) for g in carte_filtres_get()["groupes"]]
    initial = {k: request.GET.get(k) for k in ("lon", "lat") if request.GET.get(k)}
    form = LieuForm(request.POST if request.method == "POST" else None, initial=initial, groupes=groupes)
    return _contribution(request, form=form, titre="Proposer un lieu",
                         enregistrer=lambda d: contribution_lieu_proposer(valeurs=d, email=d["email"]))


def merci(request):
    return render(request, "carte/merci.html", {"titre": "Merci pour votre contribution"})
