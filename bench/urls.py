"""The app's URLs plus the same queries written the naive way, for the benchmark only."""

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from rest_framework.renderers import JSONRenderer

from geoapp.acteurs.models import DisplayedActeur
from geoapp.api.serializers import ActeurSerializer
from geoapp.config.urls import urlpatterns as app_urlpatterns


def naive_near(request):
    lon, lat = map(float, request.GET["near"].split(","))
    p = Point(lon, lat, srid=4326)
    rows = (DisplayedActeur.objects.filter(location__distance_lte=(p, D(m=30000)))
            .annotate(distance=Distance("location", p)).order_by("distance")[:100])
    return HttpResponse(JSONRenderer().render(ActeurSerializer(rows, many=True).data),
                        content_type="application/geo+json")


def baseline_near(request):
    """What users had before the planar KNN: ST_DWithin (the geography index), then ordered by
    distance, limit 100, through the app's page."""
    from geoapp.api.filters import acteur_recherche_parse

    recherche = acteur_recherche_parse(request.GET)
    p = Point(*recherche.near, srid=4326)
    rows = (DisplayedActeur.objects.filter(location__dwithin=(p, D(m=recherche.dist)))
            .annotate(distance=Distance("location", p)).order_by("distance", "identifiant_unique")[:100]
            .values_list("feature", flat=True))
    return HttpResponse('{"type": "FeatureCollection", "features": [' + ", ".join(rows) + "]}",
                        content_type="application/geo+json")


def baseline_tile(request, z, x, y):
    """A tile rendered on each request, uncached (the app's query)."""
    from geoapp.api.filters import ActeurRecherche
    from geoapp.api.selectors import acteur_tuile

    return HttpResponse(acteur_tuile(z=z, x=x, y=y, recherche=ActeurRecherche()),
                        content_type="application/vnd.mapbox-vector-tile")


def naive_bbox(request):
    """GeoJSON of everything in the bbox."""
    bbox = Polygon.from_bbox(tuple(map(float, request.GET["in_bbox"].split(","))))
    bbox.srid = 4326
    rows = DisplayedActeur.objects.filter(location__intersects=bbox)
    return HttpResponse(JSONRenderer().render(ActeurSerializer(rows, many=True).data),
                        content_type="application/geo+json")


def naive_commune(request):
    with connection.cursor() as cursor:
        cursor.execute("""SELECT d.identifiant_unique FROM acteurs_displayedacteur d, territoires_commune c
                          WHERE c.code = %s AND ST_Intersects(d.location::geometry, c.geom) LIMIT 100""",
                       [request.GET["commune"]])
        ids = [r[0] for r in cursor.fetchall()]
    rows = DisplayedActeur.objects.filter(pk__in=ids)
    return HttpResponse(JSONRenderer().render(ActeurSerializer(rows, many=True).data),
                        content_type="application/geo+json")


NAIVE_TILE_SQL = """
WITH mvtgeom AS (
  SELECT ST_AsMVTGeom(ST_Transform(d.location::geometry, 3857), ST_TileEnvelope(%s, %s, %s), 4096, 64, true) AS geom,
         d.uuid, d.nom
  FROM acteurs_displayedacteur d
  WHERE ST_Transform(d.location::geometry, 3857) && ST_TileEnvelope(%s, %s, %s))
SELECT ST_AsMVT(mvtgeom.*, 'acteurs', 4096, 'geom') FROM mvtgeom"""


def naive_tile(request, z, x, y):
    """Every point of the tile, the geometry cast in the WHERE (the index is lost), no clusters."""
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_TILE_SQL, [z, x, y, z, x, y])
        tile = cursor.fetchone()[0]
    return HttpResponse(bytes(tile or b""), content_type="application/vnd.mapbox-vector-tile")


urlpatterns = [
    *app_urlpatterns,
    path("naif/acteurs-proches", naive_near),
    path("naif/acteurs-bbox", naive_bbox),
    path("naif/acteurs-commune", naive_commune),
    path("naif/tiles/<int:z>/<int:x>/<int:y>.pbf", naive_tile),
    path("base/acteurs-proches", baseline_near),
    path("base/tiles/<int:z>/<int:x>/<int:y>.pbf", baseline_tile),
]
