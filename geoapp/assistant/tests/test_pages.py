"""The assistant's pages as a citizen gets them (home, search results, product, family, the
embeddable assistant) and the back office staff use (editing with history and preview, the search
log)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_is_the_assistant(client, produits):
    page = client.get("/").content.decode()
    assert "Que voulez-vous faire de… ?" in page
    assert 'role="combobox"' in page and 'aria-controls="objet-suggestions"' in page
    assert 'href="/famille/electromenager/"' in page  # the families to browse
    assert 'href="/carte/"' in page
    assert "<strong>0</strong> lieux référencés" in page


def test_a_search_lists_its_products_and_a_choice_is_logged_with_its_rank(client, produits):
    from geoapp.assistant.models import Recherche

    page = client.get("/recherche/", {"q": "lave lingue"}).content.decode()
    assert "Lave-linge" in page and "Gros électroménager" in page
    logged = Recherche.objects.get()
    assert (logged.texte, logged.produit, logged.rang) == ("lave lingue", None, None)
    assert logged.nombre_resultats >= 1
    response = client.get("/recherche/choix/", {"recherche": logged.pk, "produit": "gros-electromenager", "rang": 1,
                                                "objet": "Lave-linge"})
    assert response.status_code == 302 and response["Location"] == "/produit/gros-electromenager/?objet=Lave-linge"
    logged.refresh_from_db()
    assert (logged.produit.slug, logged.rang) == ("gros-electromenager", 1)
    # a suggestion picked as one types: its own line
    client.get("/recherche/choix/", {"q": "frig", "n": 3, "produit": "gros-electromenager", "rang": 2})
    assert Recherche.objects.filter(texte="frig", nombre_resultats=3, rang=2).exists()
    assert {f.name for f in Recherche._meta.get_fields()} == {"id", "texte", "nombre_resultats", "produit", "rang",
                                                               "cree_le"}


def test_a_search_without_result_says_so_and_offers_the_map(client, produits):
    from geoapp.assistant.models import Recherche

    page = client.get("/recherche/", {"q": "xqzwv"}).content.decode()
    assert "Aucun objet ne correspond à « xqzwv »" in page
    assert 'href="/carte/"' in page
    assert Recherche.objects.get().nombre_resultats == 0


@pytest.mark.parametrize("url, params, parametre", [
    ("/recherche/", {"q": "a\x00b"}, "q"), ("/recherche/", {}, "q"),
    ("/produit/gros-electromenager/", {"etat": "neuf"}, "etat"),
    ("/produit/gros-electromenager/", {"objet": "x\x00"}, "objet"),
    ("/recherche/choix/", {"produit": "gros-electromenager", "rang": "premier"}, "rang"),
    ("/assistant/embarque/", {"objet": "\x00"}, "objet"),
])
def test_a_bad_page_parameter_gets_a_400_naming_it(client, produits, url, params, parametre):
    response = client.get(url, params)
    assert response.status_code == 400
    # named by the page (a NUL is refused before any view, by geoapp.common.entrees, with the same mark)
    assert f'<code id="parametre">{parametre}</code>' in response.content.decode()


def test_the_product_page_says_what_to_do_by_state_with_the_take_back_rules(client, produits):
    page = client.get("/produit/gros-electromenager/", {"objet": "Lave-linge", "etat": "abime"}).content.decode()
    assert '<h1 class="fr-h2" id="produit-nom">Lave-linge</h1>' in page
    assert "Abîmé ou cassé : faites-le réparer" in page and "bonus réparation" in page
    assert 'id="conseil-bon_etat" class="conseil" aria-live="polite" hidden' in page  # the other state, hidden
    assert "« 1 pour 1 »" in page and "« 1 pour 0 »" in page  # retailers' take-back of appliances
    assert "La déchèterie de votre commune l'accepte" in page
    # the embedded map, filtered on the product's sous-catégories and the state's actions
    src = page.split('id="carte-produit" class="carte-produit" src="')[1].split('"')[0].replace("&amp;", "&")
    assert urlsplit(src).path == "/carte/integree/"
    query = parse_qs(urlsplit(src).query)
    assert query["sous_categorie"] == ["gros_electromenager_hors_refrigerant"]
    assert query["action"] == ["reparer,trier,rapporter"]
    assert client.get(src).status_code == 200


def test_the_rep_channel_and_the_household_bin_come_from_the_index_and_the_texts(client, produits):
    page = client.get("/produit/acetone/").content.decode()
    assert "filière à responsabilité élargie du producteur (REP) « Produits chimiques »" in page
    assert "EcoDDS" in page
    page = client.get("/produit/journal/").content.decode()  # no sous-catégorie: the bin by its code
    assert "le bac de tri des emballages et papiers (bac jaune)" in page
    assert 'id="sans-lieux"' in page


def test_a_family_page_lists_its_products(client, produits):
    page = client.get("/famille/electromenager/").content.decode()
    assert 'href="/produit/gros-electromenager/"' in page and 'href="/produit/petit-electromenager/"' in page
    assert client.get("/famille/inconnue/").status_code == 404


def test_the_embeddable_assistant_may_be_framed_and_opens_the_object_of_data_objet(client, produits):
    js = client.get("/assistant/embed.js")
    assert js["Content-Type"].startswith("text/javascript")
    assert "/assistant/embarque/" in js.content.decode() and "dataset.objet" in js.content.decode()
    home = client.get("/assistant/embarque/")
    assert "X-Frame-Options" not in home and 'class="fr-header"' not in home.content.decode()
    response = client.get("/assistant/embarque/", {"objet": "lave linge"})
    assert response["Location"] == "/assistant/embarque/produit/gros-electromenager/?objet=Lave-linge"
    assert "X-Frame-Options" not in client.get(response["Location"])
    assert "X-Frame-Options" in client.get("/")  # the site itself is not framed


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("agent", "agent@example.org", "mot-de-passe")


def test_staff_edit_a_product_in_the_back_office_with_its_history(client, produits, staff):
    from geoapp.assistant.models import Produit

    client.force_login(staff)
    produit = Produit.objects.get(slug="gros-electromenager")
    url = f"/admin/assistant/produit/{produit.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"sous_categories": [sc.pk for sc in produit.sous_categories.all()],
                 "abime": "Changez d'abord le joint.", "synonymes-TOTAL_FORMS": "1", "synonymes-INITIAL_FORMS": "0",
                 "synonymes-0-nom": "Lave-linge séchant"})
    versions = produit.history.count()
    # the preview shows the page as it would be, and saves nothing
    preview = client.post(url, {**data, "_apercu": "1"})
    assert preview.status_code == 200
    assert "Aperçu : ces modifications ne sont pas enregistrées" in preview.content.decode()
    assert "Changez d&#x27;abord le joint." in preview.content.decode()
    produit.refresh_from_db()
    assert "joint" not in produit.abime
    assert not produit.synonymes.filter(nom="Lave-linge séchant").exists()
    assert produit.history.count() == versions
    # saved: searchable at once, and the history says who changed what
    assert client.post(url, {**data, "_save": "1"}).status_code == 302
    assert client.get("/api/v1/produits", {"q": "lave linge sechant"}).json()["results"][0]["synonyme"] == "Lave-linge séchant"
    last = produit.history.latest()
    assert last.history_user == staff and last.abime == "Changez d'abord le joint."
    assert "agent" in client.get(f"{url[:-len('change/')]}history/").content.decode()


def test_the_back_office_lists_the_most_frequent_queries_and_those_without_result(client, produits, staff):
    from geoapp.assistant.services import recherche_record

    for texte, n in [("Frigo", 1), ("frigo ", 1), ("frigo", 1), ("bidulotron", 0), ("bidulotron", 0), ("canape", 4)]:
        recherche_record(texte=texte, nombre_resultats=n)
    client.force_login(staff)
    page = client.get("/admin/assistant/recherche/").content.decode()
    frequentes = page.split('id="recherches-frequentes"')[1].split('id="recherches-sans-resultat"')[0]
    assert frequentes.index("<td>frigo</td><td>3</td>") < frequentes.index("<td>bidulotron</td><td>2</td>")
    sans = page.split('id="recherches-sans-resultat"')[1]
    assert "<td>bidulotron</td><td>2</td>" in sans and "frigo" not in sans.split("</table>")[0]
