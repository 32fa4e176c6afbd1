"""The public API, v1. Thin views: parse (filters.py), read (selectors.py), serialize."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from geoapp.acteurs import models as acteurs
from geoapp.acteurs.selectors import source_list_with_counts

from . import selectors, serializers, services
from .filters import ParametreInvalide, acteur_recherche_parse, parse_int
from .renderers import GeoJSONRenderer, MVTRenderer
from rest_framework.renderers import JSONRenderer

ERREUR = OpenApiResponse(serializers.ErreurSerializer, description="paramètre invalide (`parametre` le nomme)")
INTROUVABLE = OpenApiResponse(serializers.ErreurSerializer, description="objet inconnu")


def _codes(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, description=f"{description} (plusieurs : `a,b` ou paramètre répété)")


FILTER_PARAMETERS = [
    OpenApiParameter("near", str, description="`lon,lat` : les plus proches d'abord, `distance_m` en propriété"),
    OpenApiParameter("dist", float, description="rayon autour de `near` en mètres (défaut 30000, au plus 100000)"),
    OpenApiParameter("in_bbox", str, description="`minlon,minlat,maxlon,maxlat` (côté limité) : les plus proches du centre de la boîte d'abord (distance en Web Mercator, sans `distance_m`)"),
    OpenApiParameter("commune", str, description="code INSEE : dans le contour de la commune, les plus proches d'un point de ce contour (ST_PointOnSurface) d'abord (sans `distance_m`)"),
    OpenApiParameter("epci", str, description="SIREN : dans le contour de l'EPCI, les plus proches d'un point de ce contour d'abord. Sans near, in_bbox, commune ni epci : par nom"),
    _codes("action", "codes d'action"),
    _codes("groupe_action", "codes de groupe d'actions"),
    _codes("sous_categorie", "codes de sous-catégorie d'objets"),
    _codes("label", "codes de label"),
    _codes("acteur_type", "codes de type d'acteur"),
    _codes("source", "codes de source"),
    OpenApiParameter("bonus_reparation", bool, description="porte (true) ou non (false) un label bonus réparation"),
    OpenApiParameter("masquer_exclusivite", bool,
                     description="true : cacher les réparateurs qui ne réparent que leur marque"),
]


class PublicAPIView(APIView):
    renderer_classes = [JSONRenderer]


class PremierRendu(BaseContentNegotiation):
    """For the views that answer bytes they wrote themselves (a page of acteurs, a tile): no
    `Accept` header parsed (DRF's negotiation took a fifth of a cached tile's time); their errors
    take the first renderer, as any client accepting `*/*` gets."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ActeurListView(PublicAPIView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]
    content_negotiation_class = PremierRendu

    @extend_schema(
        summary="Acteurs affichés (GeoJSON)",
        operation_id="acteurs_list",
        parameters=[*FILTER_PARAMETERS,
                    OpenApiParameter("limit", int, description="taille de page (défaut 50, au plus 500 ; 100 avec near)"),
                    OpenApiParameter("page", int, description="numéro de page, à partir de 1")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="FeatureCollection, `next` / `previous`"),
                   400: ERREUR, 429: ERREUR},
    )
    def get(self, request):
        recherche = selectors.acteur_recherche_verifier(recherche=acteur_recherche_parse(request.query_params))
        maximum = settings.API_NEAR_MAX_RESULTS if recherche.near else settings.API_PAGE_MAX_SIZE
        limit = parse_int(request.query_params, "limit", default=min(50, maximum), minimum=1, maximum=maximum)
        page = parse_int(request.query_params, "page", default=1, minimum=1, maximum=10**6)

        def link(p):
            return request.build_absolute_uri(request.path + "?" + _with(request.query_params, page=p))

        collection = selectors.acteur_search_geojson(recherche=recherche, page=page, limit=limit,
                                                     next_url=link(page + 1), previous_url=link(page - 1) if page > 1 else None)
        if page > 1 and not collection.nombre:
            raise ParametreInvalide("page", f"page {page} au-delà de la dernière")
        return HttpResponse(collection.texte, content_type=GeoJSONRenderer.media_type)


def _with(params, **changes) -> str:
    q = params.copy()
    for k, v in changes.items():
        q[k] = str(v)
    return q.urlencode()


class ActeurDetailView(PublicAPIView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(summary="Un acteur affiché", responses={200: serializers.ActeurSerializer, 404: INTROUVABLE})
    def get(self, request, uuid: str):
        acteur = selectors.displayed_acteur_by_uuid(uuid=uuid)
        if acteur is None:
            raise NotFound(f"aucun acteur affiché d'uuid « {uuid} »")
        return Response(serializers.ActeurSerializer(acteur).data)


TUILE_CACHE_CONTROL = "public, max-age=300"


def _etag_matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags or "*" in tags


class TuileView(PublicAPIView):
    renderer_classes = [MVTRenderer]
    content_negotiation_class = PremierRendu

    @extend_schema(summary="Tuile vectorielle (Mapbox Vector Tile, couche `acteurs`)",
                   description="Mise en cache par version publiée des acteurs affichés : `ETag` et "
                               "`Cache-Control` ; `If-None-Match` avec l'ETag reçu donne un 304.",
                   parameters=FILTER_PARAMETERS,
                   responses={(200, "application/vnd.mapbox-vector-tile"): OpenApiTypes.BINARY,
                              304: OpenApiResponse(description="inchangée depuis l'ETag donné"), 400: ERREUR})
    def get(self, request, z: int, x: int, y: int):
        if not selectors.tuile_valide(z=z, x=x, y=y):
            raise ParametreInvalide("tuile", f"tuile {z}/{x}/{y} impossible : 0 ≤ z ≤ 22 et 0 ≤ x, y < 2^z")
        recherche = selectors.acteur_recherche_verifier(recherche=acteur_recherche_parse(request.query_params))
        # the tile's bytes are cached per generation of the displayed acteurs (and filters): a
        # publication changes the generation, hence the ETag, and the cache is refilled
        cle = selectors.tuile_cache_cle(z=z, x=x, y=y, recherche=recherche)
        generation, tile = selectors.tuile_en_cache(cle=cle, partagee=selectors.tuile_partagee(z=z, recherche=recherche))
        etag = f'"{generation}"'
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            response = HttpResponse(status=304)
        else:
            if tile is None:
                tile = selectors.acteur_tuile(z=z, x=x, y=y, recherche=recherche)
                # only the low-zoom unfiltered tiles are shared: the others stay in this process's (bounded) memory
                services.tuile_cache_store(cle=cle, generation=generation, tuile=tile,
                                           partagee=services.tuile_partageable(z=z, recherche=recherche, tuile=tile))
            response = HttpResponse(tile, content_type=MVTRenderer.media_type)  # may be empty: still a tile
        response["ETag"] = etag
        response["Cache-Control"] = TUILE_CACHE_CONTROL
        return response


class CommuneDetailView(PublicAPIView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(summary="Une commune et son contour (GeoJSON)",
                   responses={200: serializers.CommuneContourSerializer, 404: INTROUVABLE})
    def get(self, request, code: str):
        commune = selectors.commune_get(code=code)
        if commune is None:
            raise NotFound(f"aucune commune de code INSEE « {code} »")
        return Response(serializers.CommuneContourSerializer(commune).data)


class CommuneSearchView(PublicAPIView):
    @extend_schema(summary="Chercher une commune par nom ou code postal",
                   parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("limit", int)],
                   responses={200: serializers.CommuneSerializer(many=True), 400: ERREUR})
    def get(self, request):
        q = (request.query_params.get("q") or "").strip()
        if len(q) < 2:
            raise ParametreInvalide("q", "au moins 2 caractères (nom ou code postal)")
        limit = parse_int(request.query_params, "limit", default=10, minimum=1, maximum=50)
        return Response(serializers.CommuneSerializer(selectors.commune_search(q=q, limit=limit), many=True).data)


def referentiel_view(model, serializer, summary: str):
    class View(PublicAPIView):
        @extend_schema(summary=summary, responses={200: serializer(many=True)})
        def get(self, request):
            return Response(serializer(model.objects.order_by("code"), many=True).data)

    View.__name__ = f"{model.__name__}ListView"
    return View.as_view()


class SourceListView(PublicAPIView):
    @extend_schema(summary="Sources, avec le nombre d'acteurs affichés et la dernière exécution réussie",
                   responses={200: serializers.SourceSerializer(many=True)})
    def get(self, request):
        return Response(serializers.SourceSerializer(source_list_with_counts(), many=True).data)


actions = referentiel_view(acteurs.Action, serializers.ActionSerializer, "Actions")
groupes_actions = referentiel_view(acteurs.GroupeAction, serializers.GroupeActionSerializer, "Groupes d'actions")
sous_categories = referentiel_view(acteurs.SousCategorieObjet, serializers.SousCategorieSerializer,
                                   "Sous-catégories d'objets")
labels = referentiel_view(acteurs.LabelQualite, serializers.LabelSerializer, "Labels qualité")
acteur_types = referentiel_view(acteurs.ActeurType, serializers.ActeurTypeSerializer, "Types d'acteurs")
