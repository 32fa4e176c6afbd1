"""The map in a real browser: a citizen around their position, filters, the detail panel, the
list mode with the keyboard, the shared URL, the commune search, and the embedded map in an
iframe of another origin."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from playwright.sync_api import expect

from geoapp.carte.models import CarteConfiguration

pytestmark = pytest.mark.slow
HOTEL_DE_VILLE = {"latitude": 48.8566, "longitude": 2.3522}


def haversine(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.7714 * math.asin(math.sqrt(a))


def result_uuids(page_or_frame):
    return page_or_frame.locator(".resultat").evaluate_all("els => els.map(e => e.dataset.uuid)")


def test_a_citizen_finds_the_nearest_places_filters_opens_one_and_browses_the_list(
        live_server, carte_data, new_context):
    context = new_context(geolocation=HOTEL_DE_VILLE, permissions=["geolocation"])
    page = context.new_page()
    page.goto(live_server.url + "/carte/")
    expect(page.locator("#carte .leaflet-tile-loaded").first).to_be_visible()  # local background tiles

    page.get_by_role("button", name="Autour de moi").click()
    expect(page.locator("#statut")).to_contain_text("du plus proche au plus loin")

    lon, lat = HOTEL_DE_VILLE["longitude"], HOTEL_DE_VILLE["latitude"]
    nearest = sorted((haversine(lon, lat, a.location.x, a.location.y), a.uuid) for a in carte_data)
    expected = [u for d, u in nearest if d <= 30000][:100]
    assert result_uuids(page) == expected and len(expected) == 100
    distances = page.locator(".resultat").evaluate_all("els => els.map(e => parseFloat(e.dataset.distance))")
    assert distances == sorted(distances) and distances[-1] <= 30000
    assert page.locator("path.marqueur").count() == 100
    reparer = page.locator("path.marqueur-reparer").first  # coloured by action group
    assert reparer.get_attribute("fill").lower() == "#009081"

    # filter "réparer"
    page.locator("#filtres summary").click()
    page.locator("#filtre-groupes").get_by_text("Je répare", exact=True).click()  # DSFR: the label is what one clicks
    page.wait_for_function("() => location.search.includes('groupe_action=reparer')")
    expect(page.locator(".resultat")).not_to_have_count(100)
    by_uuid = {a.uuid: a for a in carte_data}
    filtered = [u for d, u in nearest if d <= 30000 and "reparer" in by_uuid[u].groupes_actions][:100]
    page.wait_for_function(f"() => document.querySelectorAll('.resultat').length === {len(filtered)}")
    assert result_uuids(page) == filtered

    # the detail panel
    first = by_uuid[filtered[0]]
    page.locator(".resultat").first.click()
    detail = page.locator("#detail")
    expect(detail).to_be_visible()
    expect(page.locator("#detail-titre")).to_have_text(first.nom)
    expect(detail).to_contain_text("1 rue de Rivoli")
    expect(detail).to_contain_text("01 02 03 04 05")
    expect(detail).to_contain_text("réparer : ")  # actions and their objects
    expect(detail.get_by_role("link", name="Itinéraire")).to_have_attribute("href", f"https://www.openstreetmap.org/directions?route=%3B{round(first.location.y, 6)}%2C{round(first.location.x, 6)}")
    page.get_by_role("button", name="Fermer le détail").click()

    # list mode, with the keyboard only
    page.get_by_role("button", name="Liste").click()
    expect(page.locator("#carte")).to_be_hidden()
    expect(page.locator(".resultat").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".resultat").nth(2)).to_be_focused()
    assert "à " in page.locator(".resultat").nth(2).get_attribute("aria-label")  # screen readers hear the distance
    page.keyboard.press("Enter")
    expect(page.locator("#detail-titre")).to_have_text(by_uuid[filtered[2]].nom)

    # the URL carries the search: a shared link reproduces it
    shared = page.url
    query = parse_qs(urlsplit(shared).query)
    assert query["groupe_action"] == ["reparer"] and query["vue"] == ["liste"] and "near" in query
    other = new_context().new_page()
    other.goto(shared)
    other.wait_for_function(f"() => document.querySelectorAll('.resultat').length === {len(filtered)}")
    assert result_uuids(other) == filtered
    expect(other.locator("#carte")).to_be_hidden()
    expect(other.locator("#groupe-reparer")).to_be_checked()


def test_the_commune_search_draws_the_contour_and_lists_the_places_inside(live_server, carte_data, new_context):
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.api.tests.conftest import displayed

    with connection.cursor() as cursor:
        cursor.execute("""SELECT ST_X(p.geom), ST_Y(p.geom) FROM territoires_commune c,
                          ST_Dump(ST_GeneratePoints(c.geom, 4, 1)) p WHERE c.code = '75104'""")
        DisplayedActeur.objects.bulk_create([displayed(f"p4_{i}", x, y) for i, (x, y) in enumerate(cursor.fetchall())])
    page = new_context().new_page()
    page.goto(live_server.url + "/carte/")
    page.get_by_role("combobox", name="Commune").fill("75004")
    option = page.get_by_role("option", name="Paris 4e Arrondissement (75004)")
    option.click()
    expect(page.locator("path.contour-commune")).to_have_count(1)
    expect(page.locator("#statut")).to_contain_text("dans la commune")
    with connection.cursor() as cursor:
        cursor.execute("""SELECT d.uuid FROM acteurs_displayedacteur d JOIN territoires_commune c ON c.code = '75104'
                          WHERE ST_Covers(c.geom, d.location::geometry)""")
        inside = {u for (u,) in cursor.fetchall()}
    assert inside and set(result_uuids(page)) == inside
    assert "commune=75104" in page.url


def test_the_object_typed_by_name_filters_by_its_sous_categories(live_server, carte_data, new_context):
    page = new_context(geolocation=HOTEL_DE_VILLE, permissions=["geolocation"]).new_page()
    page.goto(live_server.url + "/carte/")
    page.get_by_role("button", name="Autour de moi").click()
    expect(page.locator(".resultat")).to_have_count(100)
    page.locator("#filtres summary").click()
    page.get_by_role("combobox", name="Objet").fill("canap")
    page.get_by_role("option", name="Canapé", exact=True).click()
    page.wait_for_function("() => location.search.includes('sous_categorie=')")
    sous_categories = parse_qs(urlsplit(page.url).query)["sous_categorie"][0].split(",")
    assert "meuble" in sous_categories
    by_uuid = {a.uuid: a for a in carte_data}
    page.wait_for_function("() => document.querySelectorAll('.resultat').length < 100")
    uuids = result_uuids(page)
    assert uuids and all(set(by_uuid[u].sous_categories) & set(sous_categories) for u in uuids)


@pytest.mark.parametrize("embedding", ["iframe", "script"])
def test_the_embedded_map_renders_in_a_page_of_another_origin(live_server, carte_data, new_context, site_partenaire,
                                                              embedding):
    from django.contrib.gis.geos import Point

    CarteConfiguration.objects.create(slug="ressourcerie-paris", titre="Réparer à Paris", groupes_actions=["reparer"],
                                      centre=Point(2.3522, 48.8566, srid=4326), nombre_resultats=10)
    src = live_server.url + "/carte/ressourcerie-paris/"
    tag = (f'<iframe src="{src}" title="carte" width="900" height="600"></iframe>' if embedding == "iframe"
           else f'<script src="{src}embed.js" data-height="600"></script>')
    site_partenaire.html = f"<!doctype html><html><body><h1>Partenaire</h1>{tag}</body></html>".encode()
    page = new_context().new_page()
    page.goto(site_partenaire.url)
    frame = page.frame_locator("iframe")
    expect(frame.locator(".resultat")).to_have_count(10)
    by_uuid = {a.uuid: a for a in carte_data}
    uuids = frame.locator(".resultat").evaluate_all("els => els.map(e => e.dataset.uuid)")
    assert all("reparer" in by_uuid[u].groupes_actions for u in uuids)
    expect(frame.locator("header")).to_have_count(0)  # embedded: no site header


def test_search_in_this_area_after_panning(live_server, carte_data, new_context):
    page = new_context(geolocation=HOTEL_DE_VILLE, permissions=["geolocation"],
                       viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/carte/")
    page.get_by_role("button", name="Autour de moi").click()
    expect(page.locator(".resultat")).to_have_count(100)
    button = page.get_by_role("button", name="Rechercher dans cette zone")
    expect(button).to_be_hidden()
    page.wait_for_function("() => !window.carte.busy()")  # the map has finished fitting the results
    box = page.locator("#carte").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 250, cy + 40, steps=10)  # drag the map west
    page.mouse.up()
    expect(button).to_be_visible()
    before = parse_qs(urlsplit(page.url).query)["near"][0]
    button.click()
    page.wait_for_function(f"() => !location.search.includes('near={before.replace(',', '%2C')}')")
    expect(button).to_be_hidden()
    query = parse_qs(urlsplit(page.url).query)
    lon, lat = map(float, query["near"][0].split(","))
    dist = float(query["dist"][0])
    assert lon < HOTEL_DE_VILLE["longitude"] and 0 < dist <= 100000
    nearest = sorted((haversine(lon, lat, a.location.x, a.location.y), a.uuid) for a in carte_data)
    expected = [u for d, u in nearest if d <= dist][:100]
    page.wait_for_function(f"() => document.querySelectorAll('.resultat').length === {len(expected)}")
    assert result_uuids(page) == expected
