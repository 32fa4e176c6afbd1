"""The map's address search against the offline geocoder (`/api/v1/adresses` over the BAN of Paris
cloned into the test warehouse): type an address, pick a suggestion, see markers and a list sorted
by distance; the shared URL reproduces the search."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.clones.fixtures import ban_clone, serveur_donnees_url  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, databases=["default", "warehouse"])]


def haversine(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.7714 * math.asin(math.sqrt(a))


def test_a_citizen_types_an_address_picks_a_suggestion_and_sees_the_nearest_places(
        ban_clone, live_server, carte_data, new_context):
    page = new_context().new_page()
    page.goto(live_server.url + "/carte/")
    page.get_by_role("combobox", name="Adresse").press_sequentially("10 rue de rivoli", delay=30)
    options = page.locator("#adresse-suggestions [role=option]")
    expect(options.first).to_be_visible()
    assert 1 <= options.count() <= 5
    label = options.first.inner_text()
    assert "Rivoli" in label
    options.first.click()

    expect(page.locator("#statut")).to_contain_text("du plus proche au plus loin")
    query = parse_qs(urlsplit(page.url).query)
    assert query["adresse"] == [label]
    lon, lat = map(float, query["near"][0].split(","))
    assert haversine(lon, lat, 2.3566, 48.8557) < 1500  # rue de Rivoli, Paris 4e

    nearest = sorted((haversine(lon, lat, a.location.x, a.location.y), a.uuid) for a in carte_data)
    expected = [u for d, u in nearest if d <= 30000][:100]
    uuids = page.locator(".resultat").evaluate_all("els => els.map(e => e.dataset.uuid)")
    assert uuids == expected
    distances = page.locator(".resultat").evaluate_all("els => els.map(e => parseFloat(e.dataset.distance))")
    assert distances == sorted(distances)
    assert page.locator("path.marqueur").count() == len(expected)

    # the shared URL reproduces the address search
    other = new_context().new_page()
    other.goto(page.url)
    expect(other.get_by_role("combobox", name="Adresse")).to_have_value(label)
    other.wait_for_function(f"() => document.querySelectorAll('.resultat').length === {len(expected)}")
