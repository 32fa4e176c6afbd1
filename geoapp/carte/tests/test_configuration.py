"""A partner map's legend and branding: the embedded map shows what its configuration says (the
partner's name as text, its link https only, its colour validated); the back office's preview gives
unsaved values in the URL, honoured for staff who may edit configurations, ignored for anyone else."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from geoapp.carte.models import CarteConfiguration

pytestmark = pytest.mark.usefixtures("referentiels")

NOM = "Ressourcerie <b>du Port</b>"


@pytest.fixture
def configuration():
    return CarteConfiguration.objects.create(
        slug="port", titre="Le réseau du Port", groupes_actions=["reparer", "donner_echanger_rapporter"], legende=True,
        filtres_visibles=False, couleur="#8a2be2", partenaire_nom=NOM, partenaire_url="https://port.example/")


def legende(html: str) -> list[str]:
    bloc = re.search(r'<ul class="legende"[^>]*>(.*?)</ul>', html, re.S)
    return re.findall(r"</span>([^<]+)</li>", bloc.group(1)) if bloc else []


def test_the_embedded_map_shows_its_configurations_legend_and_branding(client, configuration):
    html = client.get("/carte/port/").content.decode()

    assert 'data-couleur="#8a2be2"' in html
    assert "Carte proposée par" in html and "Ressourcerie &lt;b&gt;du Port&lt;/b&gt;" in html and NOM not in html
    assert 'href="https://port.example/"' in html
    assert re.search(r'<details class="filtres" id="filtres" hidden>', html)  # the partner's filters, fixed
    assert [g.split(" / ")[0] for g in legende(html)] == ["Je répare", "Je donne"]  # the groups it shows

    CarteConfiguration.objects.filter(pk=configuration.pk).update(legende=False, partenaire_nom="", couleur="")
    html = client.get("/carte/port/").content.decode()
    assert legende(html) == [] and 'class="legende"' not in html
    assert "Carte proposée par" not in html and "data-couleur=\"#" not in html.split("<main")[0]


def test_without_preset_groups_the_legend_lists_them_all(client, configuration):
    assert len(legende(client.get("/carte/").content.decode())) == 5


def test_a_colour_or_a_link_that_is_not_one_is_refused():
    config = CarteConfiguration(slug="x", titre="x", couleur="red", partenaire_url="javascript:alert(1)")
    with pytest.raises(ValidationError) as erreur:
        config.full_clean()
    assert set(erreur.value.message_dict) == {"couleur", "partenaire_url"}
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the same rule
        CarteConfiguration.objects.create(slug="y", titre="y", partenaire_url="http://port.example/")


def test_the_preview_takes_unsaved_values_for_staff_who_edit_configurations_only(
        client, configuration, django_user_model):
    url = ("/carte/port/?apercu=1&legende=0&filtres_visibles=1&couleur=%23000091&partenaire_nom=Mairie"
           "&partenaire_url=javascript:alert(1)")

    anonyme = client.get(url).content.decode()
    assert "Ressourcerie &lt;b&gt;du Port&lt;/b&gt;" in anonyme and 'data-couleur="#8a2be2"' in anonyme  # as saved

    admin = django_user_model.objects.create_user("admin-cartes", password="x", is_staff=True)
    admin.user_permissions.set(Permission.objects.filter(codename="change_carteconfiguration"))
    client.force_login(admin)
    apercu = client.get(url).content.decode()
    assert re.search(r"Carte proposée par <a [^>]+>Mairie<", apercu) and 'data-couleur="#000091"' in apercu
    assert 'class="legende"' not in apercu and '<details class="filtres" id="filtres">' in apercu
    assert "javascript:" not in apercu and 'href="https://port.example/"' in apercu  # the invalid link: the saved one
