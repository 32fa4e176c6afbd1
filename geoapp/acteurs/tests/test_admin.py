"""The back office shows imported acteurs read-only (corrected through their revision, whose page has
the map widget), and keeps displayed ones read-only."""

import pytest
from django.contrib.gis.geos import Point

from geoapp.acteurs.models import Acteur

pytestmark = pytest.mark.usefixtures("referentiels")


def test_staff_open_an_imported_acteur_read_only_and_correct_it_on_a_map(admin_client):
    Acteur.objects.create(identifiant_unique="ecosystem_1", uuid="u1", identifiant_externe="1", source_id="ecosystem",
                          nom="Répar'Tout", location=Point(2.35, 48.85, srid=4326))

    listing = admin_client.get("/admin/acteurs/acteur/?q=Répar")
    page = admin_client.get("/admin/acteurs/acteur/ecosystem_1/change/")

    assert listing.status_code == 200 and "ecosystem_1" in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "Répar&#x27;Tout" in html or "Répar'Tout" in html
    assert 'name="nom"' not in html  # an edit here would be undone by the next import
    assert "/admin/acteurs/revisionacteur/add/?identifiant_unique=ecosystem_1" in html

    correction = admin_client.get("/admin/acteurs/revisionacteur/add/?identifiant_unique=ecosystem_1").content.decode()
    assert "leaflet" in correction.lower() and 'id="id_location"' in correction
    assert 'id="acteur-importe"' in correction and "R\\u00e9par'Tout" in correction  # beside each field (json_script)


def test_displayed_acteurs_cannot_be_edited_by_hand(admin_client):
    assert admin_client.get("/admin/acteurs/displayedacteur/add/").status_code == 403


def test_without_the_permissions_a_reader_can_neither_correct_nor_merge(client, django_user_model):
    from django.contrib.auth.models import Permission

    from geoapp.acteurs.models import RevisionActeur

    Acteur.objects.create(identifiant_unique="ecosystem_1", uuid="u1", identifiant_externe="1", source_id="ecosystem",
                          nom="Répar'Tout")
    RevisionActeur.objects.create(identifiant_unique="ecosystem_1", nom="Corrigé")
    lecteur = django_user_model.objects.create_user("lecteur", password="x", is_staff=True)
    lecteur.user_permissions.set(Permission.objects.filter(
        content_type__app_label="acteurs", codename__in=["view_acteur", "view_revisionacteur", "view_displayedacteur"]))
    client.force_login(lecteur)

    page = client.get("/admin/acteurs/revisionacteur/ecosystem_1/change/")
    assert page.status_code == 200 and 'name="nom"' not in page.content.decode()  # read only
    assert client.post("/admin/acteurs/revisionacteur/ecosystem_1/change/", {"nom": "Non"}).status_code == 403
    assert client.get("/admin/acteurs/revisionacteur/add/").status_code == 403
    assert "faire_un_parent" not in client.get("/admin/acteurs/acteur/").content.decode()
    assert client.post("/admin/acteurs/acteur/", {"action": "faire_un_parent", "_selected_action": ["ecosystem_1"],
                                                  "index": "0"}).status_code in (200, 302)
    assert not RevisionActeur.objects.filter(identifiant_unique__startswith="revision_").exists()  # no parent made
    assert RevisionActeur.objects.get(pk="ecosystem_1").nom == "Corrigé"


@pytest.mark.parametrize("identifiant", ["revision_25a931fb441e4da29c440af8cb809ee3", "cma_12/34", "ecosystem_5F 1"])
def test_links_to_an_acteur_open_its_page_whatever_characters_its_identifiant_holds(admin_client, identifiant):
    """The admin reads `_25` in a URL as `%`: a parent made by staff (`revision_<hex>`) whose hex
    began with 25 opened on « n'existe pas »."""
    import re

    from geoapp.acteurs.corrections import corriger_lien
    from geoapp.acteurs.models import RevisionActeur

    Acteur.objects.create(identifiant_unique=identifiant, uuid="u-" + identifiant, identifiant_externe="1",
                          source_id="ecosystem", nom="Atelier")
    ajout = re.search(r'href="([^"]+)"', corriger_lien(identifiant=identifiant)).group(1).replace("&amp;", "&")
    assert admin_client.get(ajout).context["adminform"].form.initial["identifiant_unique"] == identifiant

    RevisionActeur.objects.create(identifiant_unique=identifiant, nom="Corrigé")
    lien = re.search(r'href="([^"]+)"', corriger_lien(identifiant=identifiant)).group(1)
    page = admin_client.get(lien)
    assert page.status_code == 200 and "Corrigé" in page.content.decode()


def _form(identifiant: str, **data):
    from geoapp.acteurs.corrections import RevisionActeurForm

    return RevisionActeurForm(data={"identifiant_unique": identifiant, "statut": "", **data},
                              initial={"identifiant_unique": identifiant})


def test_a_field_forced_empty_and_filled_at_once_is_refused_with_its_reason():
    Acteur.objects.create(identifiant_unique="ecosystem_1", uuid="u1", identifiant_externe="1", source_id="ecosystem",
                          nom="Atelier", email="ancien@atelier.fr")

    form = _form("ecosystem_1", champs_vides=["email"], email="nouveau@atelier.fr")

    assert not form.is_valid()
    assert "forcé vide" in form.errors["email"][0]
    assert _form("ecosystem_1", champs_vides=["email"]).is_valid()
    assert "champs_vides" in _form("ecosystem_1", champs_vides=["nom"]).errors  # the name cannot be emptied


def test_the_grid_writes_the_revisions_propositions_only_when_they_differ_from_the_imported_ones():
    from geoapp.acteurs.models import PropositionService

    acteur = Acteur.objects.create(identifiant_unique="ecosystem_1", uuid="u1", identifiant_externe="1",
                                   source_id="ecosystem", nom="Atelier")
    PropositionService.objects.create(acteur=acteur, action_id="reparer").sous_categories.set(["ecran", "velo"])

    same = _form("ecosystem_1", propositions=["reparer|ecran", "reparer|velo"])
    changed = _form("ecosystem_1", propositions=["reparer|ecran", "donner|velo"])
    unknown = _form("ecosystem_1", propositions=["reparer|licorne"])

    assert same.is_valid() and same.propositions_a_ecrire() is None  # the imported ones keep applying
    assert changed.is_valid() and changed.propositions_a_ecrire() == {("reparer", "ecran"), ("donner", "velo")}
    assert changed.propositions_resume() == "Propositions de service : + donner / velo ; − reparer / velo"
    assert "propositions" in unknown.errors
    from geoapp.acteurs.corrections import RevisionActeurForm

    grid = RevisionActeurForm(initial={"identifiant_unique": "ecosystem_1"})["propositions"].as_widget()
    assert 'value="reparer|ecran" checked' in grid and 'value="donner|ecran" aria' in grid
