"""Contract of GET /api/v1/acteurs on real PostGIS: nearest first (checked against a brute-force
haversine), bbox, commune / EPCI contours (edges included), filters combined, pagination."""

from __future__ import annotations

import json
import math

import pytest
from django.db import connection

from geoapp.acteurs.models import FEATURE_PROPERTIES, DisplayedActeur


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("paris_data")]
SPHERE_RADIUS = 6371008.7714  # PostGIS's mean radius for geography sphere distances


def haversine(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * SPHERE_RADIUS * math.asin(math.sqrt(a))


def mercator(lon, lat) -> tuple[float, float]:
    """EPSG:3857 coordinates (spherical Web Mercator)."""
    r = 6378137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def bbox_order(acteurs, bbox) -> list:
    """The acteurs inside `bbox`, nearest first to its centre in Web Mercator, ties by identifiant."""
    (x0, y0), (x1, y1) = mercator(bbox[0], bbox[1]), mercator(bbox[2], bbox[3])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    inside = [a for a in acteurs if bbox[0] <= a.location.x <= bbox[2] and bbox[1] <= a.location.y <= bbox[3]]
    return sorted(inside, key=lambda a: (math.dist(mercator(a.location.x, a.location.y), (cx, cy)),
                                         a.identifiant_unique))


def get(client, url, **params):
    return client.get(url, params)


def test_near_returns_the_nearest_first_within_dist_as_brute_force_does(client):
    lon, lat = 2.30, 48.87
    response = client.get("/api/v1/acteurs", {"near": f"{lon},{lat}", "dist": 20000, "limit": 100})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"

    brute = sorted(
        (haversine(lon, lat, a.location.x, a.location.y), a.uuid) for a in DisplayedActeur.objects.all()
    )
    expected = [(d, u) for d, u in brute if d <= 20000]
    got = [(f["properties"]["distance_m"], f["properties"]["uuid"]) for f in body["features"]]
    assert 0 < len(got) == min(100, len(expected))
    assert [u for _, u in got] == [u for _, u in expected[: len(got)]]
    for (d_api, _), (d_brute, _) in zip(got, expected):
        assert d_api == pytest.approx(d_brute, abs=0.2)
    distances = [d for d, _ in got]
    assert distances == sorted(distances)


def test_coordinates_are_rounded_to_six_decimals_and_properties_are_complete(client):
    body = client.get("/api/v1/acteurs", {"near": "2.35,48.85", "limit": 1}).json()
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    for c in feature["geometry"]["coordinates"]:
        assert round(c, 6) == c and len(str(c).split(".")[1]) <= 6
    props = feature["properties"]
    for key in ("uuid", "nom", "nom_commercial", "adresse", "code_postal", "ville", "acteur_type", "propositions",
                "labels", "sources", "horaires_description", "telephone", "url", "distance_m"):
        assert key in props
    assert props["propositions"][0]["sous_categories"]


def test_no_distance_without_near(client):
    body = client.get("/api/v1/acteurs", {"limit": 3}).json()
    assert len(body["features"]) == 3 and "distance_m" not in body["features"][0]["properties"]


def test_pagination_follows_next_to_the_end_then_a_page_past_the_end_is_a_400(client):
    seen, url, pages = [], "/api/v1/acteurs?near=2.35,48.85&dist=15000&limit=5", 0
    while url:
        body = client.get(url).json()
        seen += [f["properties"]["uuid"] for f in body["features"]]
        url, pages = body["next"], pages + 1
    expected = [u for d, u in sorted((haversine(2.35, 48.85, a.location.x, a.location.y), a.uuid)
                                     for a in DisplayedActeur.objects.all()) if d <= 15000]
    assert seen == expected and pages == math.ceil(len(expected) / 5) >= 2
    past = client.get("/api/v1/acteurs", {"near": "2.35,48.85", "dist": 15000, "limit": 5, "page": pages + 1})
    assert past.status_code == 400 and past.json()["parametre"] == "page"



def test_near_is_the_sphere_order_where_web_mercator_would_give_another(client):
    """Around Oslo (60° N) Web Mercator stretches distances by 2 and by 1.5 % more 30 km north
    than 30 km south: the planar nearest-first order differs from the sphere's, and the pages
    (short ones: the candidates taken on the plane matter) still follow the sphere's, exactly."""
    import random

    from .conftest import displayed

    lon, lat, rng = 10.75, 59.91, random.Random(11)
    acteurs = [displayed(f"oslo_{i:03d}", lon + rng.uniform(-0.7, 0.7), lat + rng.uniform(-0.35, 0.35))
               for i in range(150)]
    # pairs straight north / south of the point, the southern one a little farther on the sphere
    pairs = ((3, 0.002), (10, 0.015), (20, 0.1), (30, 0.2))  # km; on the plane the northern one is farther
    acteurs += [displayed(f"oslo_n{i}", lon, lat + k / 111.195) for i, (k, _) in enumerate(pairs)]
    acteurs += [displayed(f"oslo_s{i}", lon, lat - (k + e) / 111.195) for i, (k, e) in enumerate(pairs)]
    DisplayedActeur.objects.bulk_create(acteurs)
    centre = mercator(lon, lat)
    sphere = sorted((round(haversine(lon, lat, a.location.x, a.location.y), 6), a.identifiant_unique, a.uuid)
                    for a in acteurs)
    plane = sorted((math.dist(mercator(a.location.x, a.location.y), centre), a.identifiant_unique, a.uuid)
                   for a in acteurs)
    expected = [(d, u) for d, _, u in sphere if d <= 35000]
    for i in range(len(pairs)):  # the premise: each pair comes in the other order on the plane
        rank = {u: r for r, (_, _, u) in enumerate(plane)}
        assert rank[f"uuid-oslo_n{i}"] > rank[f"uuid-oslo_s{i}"]
        rank = {u: r for r, (_, _, u) in enumerate(sphere)}
        assert rank[f"uuid-oslo_n{i}"] < rank[f"uuid-oslo_s{i}"]
    seen, url = [], f"/api/v1/acteurs?near={lon},{lat}&dist=35000&limit=7"
    while url:
        body = client.get(url).json()
        seen += [(f["properties"]["distance_m"], f["properties"]["uuid"]) for f in body["features"]]
        url = body["next"]
    assert [u for _, u in seen] == [u for _, u in expected]
    for (d_api, _), (d_brute, _) in zip(seen, expected):
        assert d_api == pytest.approx(d_brute, abs=0.2)
    first = client.get("/api/v1/acteurs", {"near": f"{lon},{lat}", "dist": 35000, "limit": 100}).json()
    assert [f["properties"]["uuid"] for f in first["features"]] == [u for _, u in expected][:100]

def test_in_bbox_returns_exactly_the_acteurs_inside(client):
    bbox = (2.2, 48.8, 2.5, 48.9)
    body = client.get("/api/v1/acteurs", {"in_bbox": ",".join(map(str, bbox)), "limit": 500}).json()
    expected = {a.uuid for a in DisplayedActeur.objects.all()
                if bbox[0] <= a.location.x <= bbox[2] and bbox[1] <= a.location.y <= bbox[3]}
    assert {f["properties"]["uuid"] for f in body["features"]} == expected and expected


def test_in_bbox_comes_nearest_to_the_centre_first_and_pages_concatenate_to_that_order(client):
    bbox = (2.1, 48.7, 2.6, 49.0)
    expected = [a.uuid for a in bbox_order(DisplayedActeur.objects.all(), bbox)]
    seen, url, pages = [], "/api/v1/acteurs?in_bbox=" + ",".join(map(str, bbox)) + "&limit=7", 0
    while url:
        body = client.get(url).json()
        assert all("distance_m" not in f["properties"] for f in body["features"])
        seen += [f["properties"]["uuid"] for f in body["features"]]
        url, pages = body["next"], pages + 1
    assert seen == expected and pages == math.ceil(len(expected) / 7) >= 3
    whole = client.get("/api/v1/acteurs", {"in_bbox": ",".join(map(str, bbox)), "limit": 500}).json()
    assert [f["properties"]["uuid"] for f in whole["features"]] == expected


def test_commune_comes_nearest_to_a_point_of_its_contour_first(client):
    from .conftest import displayed

    DisplayedActeur.objects.bulk_create([displayed(f"paris_{i}", 2.30 + 0.01 * i, 48.845 + 0.0025 * i)
                                         for i in range(10)])
    body = client.get("/api/v1/acteurs", {"commune": "75056", "limit": 500}).json()
    with connection.cursor() as cursor:  # Paris: a point on its contour, else on its arrondissements'
        cursor.execute("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(COALESCE(
                            (SELECT ST_PointOnSurface(geom) FROM territoires_commune WHERE code = '75056'),
                            (SELECT ST_PointOnSurface(ST_Collect(geom)) FROM territoires_commune
                             WHERE commune_parente = '75056' AND geom IS NOT NULL)), 3857) AS p) c""")
        centre = cursor.fetchone()
    uuids = [f["properties"]["uuid"] for f in body["features"]]
    par_uuid = {a.uuid: a for a in DisplayedActeur.objects.filter(uuid__in=uuids)}
    cles = [(math.dist(mercator(par_uuid[u].location.x, par_uuid[u].location.y), centre),
             par_uuid[u].identifiant_unique) for u in uuids]
    assert len(uuids) >= 3 and cles == sorted(cles)
    assert all("distance_m" not in f["properties"] for f in body["features"])


def _contour_vertex_and_outside(code: str, table: str = "territoires_commune"):
    """A vertex of the contour (on the edge) and a point 1 m outside it, beside that vertex."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH c AS (SELECT geom FROM {table} WHERE code = %s),
                     v AS (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 3) AS p FROM c)
                SELECT ST_X(v.p), ST_Y(v.p), ST_X(o), ST_Y(o) FROM v, c,
                  LATERAL (SELECT ST_Project(v.p::geography, 1,
                     ST_Azimuth(ST_Centroid(c.geom), v.p))::geometry AS o) x""",
            [code],
        )
        return cursor.fetchone()


def test_commune_keeps_the_acteurs_inside_the_contour_edges_included(client):
    from django.contrib.gis.geos import Point

    vx, vy, ox, oy = _contour_vertex_and_outside("75104")
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) FROM territoires_commune "
                       "WHERE code = '75104'", [ox, oy])
        assert cursor.fetchone()[0] is False  # the "outside" point is really outside
    from .conftest import displayed

    DisplayedActeur.objects.bulk_create([displayed("bord", vx, vy), displayed("dehors", ox, oy)])
    body = client.get("/api/v1/acteurs", {"commune": "75104", "limit": 500}).json()
    uuids = {f["properties"]["uuid"] for f in body["features"]}
    with connection.cursor() as cursor:
        cursor.execute("""SELECT d.uuid FROM acteurs_displayedacteur d, territoires_commune c
                          WHERE c.code = '75104' AND ST_Covers(c.geom, d.location::geometry)""")
        expected = {u for (u,) in cursor.fetchall()}
    assert "uuid-bord" in uuids and "uuid-dehors" not in uuids
    assert uuids == expected
    assert Point(vx, vy).x  # the vertex is a real coordinate


def test_epci_keeps_the_acteurs_inside_its_contour(client):
    from .conftest import displayed

    with connection.cursor() as cursor:
        cursor.execute("SELECT code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
                       "FROM territoires_epci WHERE geom IS NOT NULL ORDER BY code LIMIT 1")
        code, lon, lat = cursor.fetchone()
    DisplayedActeur.objects.bulk_create([displayed("dans_epci", lon, lat)])
    body = client.get("/api/v1/acteurs", {"epci": code}).json()
    assert "uuid-dans_epci" in {f["properties"]["uuid"] for f in body["features"]}
    assert all(f["properties"]["uuid"] != "uuid-gen_0000" for f in body["features"])


def test_filters_combine(client):
    params = {"near": "2.35,48.85", "dist": 60000, "limit": 100, "groupe_action": "reparer",
              "sous_categorie": "ecran,meuble", "acteur_type": "commerce", "source": "cmareparacteur,refashion",
              "masquer_exclusivite": "true"}
    body = client.get("/api/v1/acteurs", params).json()
    expected = {a.uuid for a in DisplayedActeur.objects.all()
                if "reparer" in a.groupes_actions and set(a.sous_categories) & {"ecran", "meuble"}
                and a.acteur_type == "commerce" and set(a.sources) & {"cmareparacteur", "refashion"}
                and a.exclusivite_de_reprisereparation is not True
                and haversine(2.35, 48.85, a.location.x, a.location.y) <= 60000}
    assert {f["properties"]["uuid"] for f in body["features"]} == expected and len(expected) >= 3


@pytest.mark.parametrize("bonus, keep", [("true", lambda a: "qualirepar" in a.labels),
                                         ("false", lambda a: "qualirepar" not in a.labels)])
def test_bonus_reparation_and_labels(client, bonus, keep):
    body = client.get("/api/v1/acteurs", {"bonus_reparation": bonus, "action": "reparer", "limit": 500}).json()
    expected = {a.uuid for a in DisplayedActeur.objects.all() if keep(a) and "reparer" in a.actions}
    assert {f["properties"]["uuid"] for f in body["features"]} == expected and expected
    labelled = client.get("/api/v1/acteurs", {"label": "ess", "limit": 500}).json()
    assert {f["properties"]["uuid"] for f in labelled["features"]} == {
        a.uuid for a in DisplayedActeur.objects.all() if "ess" in a.labels}


def test_repeated_parameters_are_alternatives(client):
    a = client.get("/api/v1/acteurs?action=reparer&action=louer&limit=500").json()
    b = client.get("/api/v1/acteurs?action=reparer,louer&limit=500").json()
    assert a["features"] == b["features"]
    assert {f["properties"]["uuid"] for f in a["features"]} == {
        x.uuid for x in DisplayedActeur.objects.all() if {"reparer", "louer"} & set(x.actions)}


def test_detail_by_uuid_and_unknown_uuid(client):
    response = client.get("/api/v1/acteurs/uuid-gen_0001")
    assert response.status_code == 200
    assert response.json()["properties"]["uuid"] == "uuid-gen_0001"
    missing = client.get("/api/v1/acteurs/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["erreur"]


@pytest.mark.parametrize("params, parametre", [
    ({"near": "abc"}, "near"),
    ({"near": "2.35"}, "near"),
    ({"near": "200,48"}, "near"),
    ({"near": "2.35,95"}, "near"),
    ({"near": "nan,48"}, "near"),
    ({"near": "2.35,48.85", "dist": "100001"}, "dist"),
    ({"near": "2.35,48.85", "dist": "-5"}, "dist"),
    ({"near": "2.35,48.85", "dist": "loin"}, "dist"),
    ({"dist": "1000"}, "dist"),
    ({"in_bbox": "2.5,48.8,2.2,48.9"}, "in_bbox"),
    ({"in_bbox": "2.2,48.9,2.5,48.8"}, "in_bbox"),
    ({"in_bbox": "-5,40,9,51"}, "in_bbox"),
    ({"in_bbox": "1,2,3"}, "in_bbox"),
    ({"commune": "99999"}, "commune"),
    ({"epci": "123"}, "epci"),
    ({"action": "reparer,voler"}, "action"),
    ({"groupe_action": "x"}, "groupe_action"),
    ({"sous_categorie": "x"}, "sous_categorie"),
    ({"label": "x"}, "label"),
    ({"acteur_type": "x"}, "acteur_type"),
    ({"source": "x"}, "source"),
    ({"bonus_reparation": "peut-être"}, "bonus_reparation"),
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"near": "2.35,48.85", "limit": "101"}, "limit"),
    ({"limit": "dix"}, "limit"),
    ({"page": "0"}, "page"),
    ({"page": "9999"}, "page"),
])
def test_every_bad_parameter_is_a_400_naming_it(client, params, parametre):
    response = client.get("/api/v1/acteurs", params)
    assert response.status_code == 400
    body = response.json()
    assert body["parametre"] == parametre and body["erreur"]


def test_a_feature_of_the_list_is_the_detail_feature_plus_its_distance(client):
    listed = client.get("/api/v1/acteurs", {"near": "2.35,48.85", "limit": 5}).json()["features"]
    for feature in listed:
        detail = client.get(f"/api/v1/acteurs/{feature['properties']['uuid']}").json()
        props = dict(feature["properties"])
        assert props.pop("distance_m") >= 0
        assert props == detail["properties"]
        assert feature["geometry"] == detail["geometry"]


@pytest.mark.parametrize("params", [{"near": "0,90"}, {"near": "-180,-90", "dist": "100000"},
                                    {"in_bbox": "-2,86,2,90"}, {"in_bbox": "178,-90,180,-86"},
                                    {"near": "179.99,85", "dist": "100000", "action": "reparer"}])
def test_extreme_but_valid_coordinates_answer_an_empty_page_not_an_error(client, params):
    response = client.get("/api/v1/acteurs", params)
    assert response.status_code == 200
    assert response.json()["features"] == []


def test_a_page_written_by_postgresql_is_what_the_drf_serializer_writes(client):
    import json

    from rest_framework.renderers import JSONRenderer

    from geoapp.api.serializers import ActeurSerializer

    params = {"in_bbox": "2.0,48.6,2.7,49.1", "limit": 4, "page": 2}
    body = client.get("/api/v1/acteurs", params).json()
    assert set(body) == {"type", "features", "next", "previous", "page", "limit"}
    assert (body["type"], body["page"], body["limit"]) == ("FeatureCollection", 2, 4)
    assert "page=3" in body["next"] and "page=1" in body["previous"] and "in_bbox=" in body["next"]
    inside = bbox_order(DisplayedActeur.objects.all(), (2.0, 48.6, 2.7, 49.1))
    expected = json.loads(JSONRenderer().render(ActeurSerializer(inside[4:8], many=True).data))
    assert body["features"] == expected["features"]
    last = client.get("/api/v1/acteurs", {**params, "page": math.ceil(len(inside) / 4)}).json()
    assert last["next"] is None and last["features"]


@pytest.mark.parametrize("params", [{"near": "2.35,48.85", "dist": 30000, "limit": 5, "page": 2},
                                    {"in_bbox": "2.0,48.6,2.7,49.1", "limit": 3}])
def test_a_page_of_stored_features_is_byte_for_byte_what_json_build_object_writes(client, params):
    """The features stored at publication, concatenated, give the very bytes of the whole page
    written by PostgreSQL's json_build_object / json_agg (as the API did before storing them)."""
    body = client.get("/api/v1/acteurs", params).content.decode()
    page, limit = params.get("page", 1), params["limit"]
    parsed = json.loads(body)
    props = ", ".join(f"'{p}', d.{p}" for p in FEATURE_PROPERTIES)
    if "near" in params:
        lon, lat = map(float, params["near"].split(","))
        distance = f"d.location <-> ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography"
        props += f", 'distance_m', round(({distance})::numeric, 1)"
        where, order = f"ST_DWithin(d.location, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, {params['dist']}, false)", f"{distance}, d.identifiant_unique"
    else:
        a, b, c, e = params["in_bbox"].split(",")
        where, order = f"d.location::geometry && ST_MakeEnvelope({a}, {b}, {c}, {e}, 4326)", (
            f"d.location_3857 <-> ST_Centroid(ST_Transform(ST_MakeEnvelope({a}, {b}, {c}, {e}, 4326), 3857)), "
            "d.identifiant_unique")
    with connection.cursor() as cursor:
        cursor.execute(f"""
SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(f), '[]'::json),
                         'next', %s, 'previous', %s, 'page', %s, 'limit', %s)::text
FROM (SELECT json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(d.location, 6)::json,
                               'properties', json_build_object({props})) AS f
      FROM acteurs_displayedacteur d WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s) p""",
                       [parsed["next"], parsed["previous"], page, limit, limit, (page - 1) * limit])
        expected = cursor.fetchone()[0]
    assert parsed["features"]
    assert body == expected
