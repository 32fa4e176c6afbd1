"""Text from outside is text, never markup: an acteur whose name, address, hours and site hold
markup (as a source record or a contributor may send them), and labels and a map title staff
edited with markup, shown in a real browser under the Content-Security-Policy: the tooltip, the
list, the detail panel, the home page, the embedded map, the admin. No script runs (the payloads
set `window.__xss` or open a dialog), and no page breaks its policy (the admin's map widget and the
API documentation work under it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_carte_navigateur import HOTEL_DE_VILLE

pytestmark = pytest.mark.slow

NOM = "<img src=x onerror=\"window.__xss='nom';alert(1)\">Répar'Café <b>gras</b>"
ADRESSE = "<svg onload=\"window.__xss='adresse'\"></svg>1 rue de Rivoli"
HORAIRES = "</script><script>window.__xss='horaires'</script>9 h - 18 h"
URL = "javascript:window.__xss='url'"
LIBELLE = "</script><script>window.__xss='libelle'</script><b>QualiRépar</b>"
TITRE = "<img src=x onerror=\"window.__xss='titre'\">Carte du partenaire"

# every frame records what its policy blocked, and whether a payload ran
ESPION = """window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});"""


@pytest.fixture
def acteurs_piege(transactional_db):
    """Referentials and communes, three acteurs near the Hôtel de Ville, the nearest one with
    markup in every text, a label whose staff-edited name holds a </script> break-out."""
    from geoapp.acteurs.models import LabelQualite
    from geoapp.api.tests.conftest import displayed, load_everything

    lon, lat = HOTEL_DE_VILLE["longitude"], HOTEL_DE_VILLE["latitude"]
    piege = displayed("piege", lon + 0.001, lat, nom=NOM, adresse=ADRESSE, horaires_description=HORAIRES,
                      url=URL, labels=["qualirepar"], telephone="01 02 03 04 05")
    autres = [displayed("autre_1", lon + 0.03, lat + 0.02), displayed("autre_2", lon - 0.03, lat - 0.02)]
    load_everything([piege, *autres])
    LabelQualite.objects.filter(code="qualirepar").update(libelle=LIBELLE)
    return piege


@pytest.fixture
def espion(new_context):
    dialogs = []

    def make(**kwargs):
        context = new_context(**kwargs)
        context.add_init_script(ESPION)
        context.on("page", lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
        return context

    yield make
    assert dialogs == [], f"a payload opened a dialog: {dialogs}"


def rien_na_tourne(frame, *, bloques_permis: tuple[str, ...] = ()) -> None:
    """No payload ran, and the policy blocked nothing (but `bloques_permis`: outside URLs it keeps
    the page from fetching)."""
    assert frame.evaluate("() => window.__xss") is None
    bloques = frame.evaluate("() => window.__csp")
    assert [b for b in bloques if not any(p in b for p in bloques_permis)] == []


def test_the_map_shows_markup_as_text_and_runs_none_of_it(live_server, acteurs_piege, espion):
    page = espion(geolocation=HOTEL_DE_VILLE, permissions=["geolocation"]).new_page()
    response = page.goto(live_server.url + "/carte/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy and "unsafe-inline" not in policy
    # the staff-edited label: text in the filters' select, and the page's config was not broken out of
    expect(page.locator("#label option[value=qualirepar]")).to_have_text(LIBELLE)
    page.get_by_role("button", name="Autour de moi").click()
    expect(page.locator(".resultat")).to_have_count(3)

    premier = page.locator(".resultat").first
    expect(premier.locator(".nom")).to_have_text(NOM)
    expect(premier.locator(".adresse")).to_contain_text(ADRESSE)
    assert premier.locator("img, svg, b").count() == 0

    # the tooltip of each marker: the nearest one's holds the name, as text
    textes = []
    for i in range(page.locator("path.marqueur").count()):
        page.locator("path.marqueur").nth(i).hover(force=True)
        tooltip = page.locator(".leaflet-tooltip").last
        expect(tooltip).to_be_visible()
        textes.append(tooltip.text_content())
        assert tooltip.locator("img, b").count() == 0
    assert NOM in textes

    # the detail panel
    premier.click()
    detail = page.locator("#detail")
    expect(page.locator("#detail-titre")).to_have_text(NOM)
    expect(detail).to_contain_text(ADRESSE)
    expect(detail).to_contain_text(HORAIRES)
    expect(detail).to_contain_text(LIBELLE)  # the label's name, in the detail's labels
    expect(detail).to_contain_text(URL)  # shown, but not a link: only http(s) becomes one
    assert detail.locator("a[href^='javascript']").count() == 0
    assert detail.locator("img, svg, b, script").count() == 0
    # the colour swatches are set by the script (no inline style under the policy)
    assert page.locator(".legende .pastille").first.evaluate("e => getComputedStyle(e).backgroundColor") != \
        "rgba(0, 0, 0, 0)"
    rien_na_tourne(page)

    accueil = page.context.new_page()  # the home page is l'assistant now: it names no acteur
    accueil.goto(live_server.url + "/")
    expect(accueil.locator("h1")).to_be_visible()
    rien_na_tourne(accueil)


def test_the_embedded_map_of_a_partner_shows_markup_as_text(live_server, acteurs_piege, espion,
                                                             site_partenaire):
    from django.contrib.gis.geos import Point

    from geoapp.carte.models import CarteConfiguration

    CarteConfiguration.objects.create(slug="partenaire", titre=TITRE, centre=Point(2.3522, 48.8566, srid=4326))
    src = live_server.url + "/carte/partenaire/"
    site_partenaire.html = f'<!doctype html><html><body><iframe src="{src}" width="900" height="600"></iframe></body></html>'.encode()
    page = espion().new_page()
    with page.expect_response(src) as embarquee:
        page.goto(site_partenaire.url)
    assert "frame-ancestors *" in embarquee.value.headers["content-security-policy"]
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text(TITRE)
    expect(frame.locator(".resultat")).to_have_count(3)
    expect(frame.locator(".resultat .nom").first).to_have_text(NOM)
    frame.locator(".resultat").first.click()
    expect(frame.locator("#detail-titre")).to_have_text(NOM)
    inner = page.frames[1]
    rien_na_tourne(inner)
    rien_na_tourne(page)


def test_the_admin_and_the_api_docs_work_under_the_policy(live_server, acteurs_piege, espion, django_user_model):
    from django.contrib.gis.geos import Point

    from geoapp.carte.models import CarteConfiguration

    django_user_model.objects.create_superuser("staff", "staff@exemple.fr", "motdepasse-staff")
    config = CarteConfiguration.objects.create(slug="partenaire", titre=TITRE,
                                               centre=Point(2.3522, 48.8566, srid=4326))
    page = espion().new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "motdepasse-staff")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(live_server.url + "/admin/acteurs/displayedacteur/?q=piege")
    expect(page.locator("#result_list")).to_contain_text(NOM)
    assert page.locator("#result_list img, #result_list b").count() == 0
    page.locator("#result_list a", has_text="piege").first.click()
    expect(page.locator("#content")).to_contain_text(HORAIRES)
    rien_na_tourne(page)

    # a change form with a map widget: its inline script runs with the request's nonce
    response = page.goto(live_server.url + f"/admin/carte/carteconfiguration/{config.pk}/change/")
    assert "'nonce-" in response.headers["content-security-policy"]
    expect(page.locator("#id_titre")).to_have_value(TITRE)
    expect(page.locator(".leaflet-container").first).to_be_visible()
    rien_na_tourne(page)

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the operations, from the schema
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/acteurs")
    rien_na_tourne(page)
    page.goto(live_server.url + "/api/redoc/")
    expect(page.locator("h2", has_text="Acteurs affichés (GeoJSON)")).to_be_visible()
    rien_na_tourne(page, bloques_permis=("img-src https://cdn.redoc.ly/",))  # Redoc's own logo: nothing leaves
