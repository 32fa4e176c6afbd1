"""A Content-Security-Policy on every response: no inline script anywhere; the embedded map may
be framed by any origin, the other pages only by the app."""

from __future__ import annotations

import pytest
from django.test import Client


def politique(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/carte/", "/admin/login/", "/api/v1/actions", "/api/docs/", "/carte/?x=%00"])
def test_every_page_has_a_policy_without_inline_script(url):
    response = Client(raise_request_exception=False).get(url)
    p = politique(response)
    assert p["default-src"] == ["'self'"]
    assert p["script-src"] == ["'self'"]  # no nonce asked for on these pages, no 'unsafe-inline'
    assert p["frame-ancestors"] == ["'self'"]
    assert p["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_the_embedded_map_may_be_framed_by_any_origin():
    from geoapp.carte.models import CarteConfiguration

    CarteConfiguration.objects.create(slug="partenaire", titre="Partenaire")
    response = Client().get("/carte/partenaire/")
    assert response.status_code == 200
    assert politique(response)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response
    assert politique(response)["script-src"] == ["'self'"]
