"""L'assistant in a real browser (Chromium) against the real server: from the search box to the
repairers near an address on the product page's embedded map; a search without result; the
assistant embedded in a page of another origin."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.clones.fixtures import ban_clone, serveur_donnees_url  # noqa: F401

from .conftest import load_produits

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, databases=["default", "warehouse"])]

RIVOLI = (2.3566, 48.8557)
LAVE_LINGE = "gros_electromenager_hors_refrigerant"


@pytest.fixture
def lieux(transactional_db):
    """Products, and around the rue de Rivoli: repairers of washing machines, places that take
    them in good condition only, and repairers of something else."""
    from geoapp.api.tests.conftest import displayed, load_everything

    acteurs = [displayed(f"rep_{i}", RIVOLI[0] + 0.002 * i, RIVOLI[1] + 0.001 * i, actions=("reparer",),
                         sous_categories=(LAVE_LINGE,), nom=f"Réparateur {i}") for i in range(1, 6)]
    acteurs += [displayed(f"don_{i}", RIVOLI[0] - 0.002 * i, RIVOLI[1], actions=("donner",),
                          sous_categories=(LAVE_LINGE,), nom=f"Ressourcerie {i}") for i in range(1, 4)]
    acteurs += [displayed(f"ecran_{i}", RIVOLI[0], RIVOLI[1] - 0.002 * i, actions=("reparer",),
                          sous_categories=("ecran",), nom=f"Écrans {i}") for i in range(1, 4)]
    load_everything(acteurs)
    load_produits()
    return acteurs


def test_a_citizen_finds_what_to_do_with_a_broken_washing_machine_and_repairers_near_an_address(
        ban_clone, live_server, lieux, new_context):
    page = new_context().new_page()
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Que voulez-vous faire de… ?")
    box.press_sequentially("lave lingue", delay=30)
    options = page.locator("#objet-suggestions [role=option]")
    expect(options.first).to_contain_text("Lave-linge")
    expect(page.locator("#objet-statut")).to_contain_text("suggestion")
    box.press("ArrowDown")  # the keyboard alone: the first suggestion is active
    expect(box).to_have_attribute("aria-activedescendant", "objet-suggestions-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    expect(page.locator("h1")).to_have_text("Lave-linge")
    assert urlsplit(page.url).path == "/produit/gros-electromenager/"
    expect(page.locator("#conseil-abime")).to_be_hidden()
    page.get_by_text("abîmé ou cassé", exact=True).click()
    expect(page.locator("#conseil-abime")).to_be_visible()
    expect(page.locator("#conseil-abime")).to_contain_text("réparateur")
    expect(page.locator("#conseil-bon_etat")).to_be_hidden()

    address = page.get_by_role("combobox", name="Mon adresse")
    address.press_sequentially("10 rue de rivoli", delay=30)
    suggestion = page.locator("#adresse-suggestions [role=option]").first
    expect(suggestion).to_contain_text("Rivoli")
    suggestion.click()
    expect(page.locator("#lieux-statut")).to_contain_text("Rivoli")

    carte = page.frame_locator("#carte-produit")
    expect(carte.locator(".resultat")).to_have_count(5)  # the repairers of washing machines, nothing else
    names = carte.locator(".resultat .nom").all_inner_texts()
    assert sorted(names) == [f"Réparateur {i}" for i in range(1, 6)]
    assert carte.locator("path.marqueur").count() == 5
    link = parse_qs(urlsplit(page.get_by_role("link", name="Ouvrir la carte complète avec cette recherche")
                             .get_attribute("href")).query)
    assert link["sous_categorie"] == [LAVE_LINGE] and link["action"] == ["reparer,trier,rapporter"]
    assert "Rivoli" in link["adresse"][0] and link["near"]

    # the same object in good condition: the places that take it to give it a second life
    page.get_by_text("en bon état", exact=True).click()
    expect(carte.locator(".resultat")).to_have_count(3)
    assert sorted(carte.locator(".resultat .nom").all_inner_texts()) == [f"Ressourcerie {i}" for i in range(1, 4)]


def test_a_search_without_result_says_so_and_offers_the_map(live_server, lieux, new_context):
    page = new_context().new_page()
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Que voulez-vous faire de… ?")
    box.press_sequentially("xqzwv", delay=20)
    expect(page.locator("#objet-statut")).to_have_text("Aucune suggestion")
    box.press("Enter")
    expect(page.locator("#aucun-resultat")).to_contain_text("Aucun objet ne correspond à « xqzwv »")
    page.get_by_role("link", name="Chercher sur la carte").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/carte/(\?.*)?$"))
    expect(page.locator("#carte")).to_be_visible()


def test_the_embedded_assistant_renders_in_an_iframe_of_another_origin(live_server, lieux, new_context, site_partenaire):
    site_partenaire.html = (f'<!doctype html><html><body><h1>Partenaire</h1><script src="{live_server.url}/assistant/embed.js" '
                  f'data-objet="machine a laver" data-height="900"></script></body></html>').encode()
    page = new_context().new_page()
    page.goto(site_partenaire.url)
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("Machine à laver")
    expect(frame.locator("header")).to_have_count(0)  # embedded: no site header
    expect(frame.frame_locator("#carte-produit").locator("#carte")).to_be_visible()  # the map inside it
    # a search from inside the frame stays inside it
    frame.get_by_role("link", name="Chercher un autre objet").click()
    box = frame.get_by_role("combobox", name="Que voulez-vous faire de… ?")
    box.press_sequentially("frigo", delay=20)
    expect(frame.locator("#objet-suggestions [role=option]").first).to_contain_text("Frigo")
    box.press("ArrowDown")
    box.press("Enter")
    expect(frame.locator("h1")).to_have_text("Frigo")
    assert page.url.startswith(site_partenaire.url)
