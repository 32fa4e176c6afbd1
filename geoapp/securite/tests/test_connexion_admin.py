"""The admin's login: after repeated failures, the account is locked from that client for a while,
even with the right password; another client is not."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("camille", password="le-bon-mot-de-passe", is_staff=True,
                                                 is_superuser=True)


def login(client, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": "camille", "password": password,
                                                      "next": "/admin/"}, **extra)


@override_settings(ADMIN_LOGIN_FAILURES=3, ADMIN_LOGIN_LOCKOUT_S=3)
def test_repeated_failures_lock_the_login_out_for_a_while(client, staff):
    for _ in range(3):
        response = login(client, "devine")
        assert response.status_code == 200 and "Veuillez compléter correctement" in response.content.decode()

    locked = login(client, "le-bon-mot-de-passe")
    assert locked.status_code == 200
    assert "Trop de tentatives de connexion échouées" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # not logged in

    other_client = login(client.__class__(), "le-bon-mot-de-passe", REMOTE_ADDR="192.0.2.77")
    assert other_client.status_code == 302  # another address is not locked out

    time.sleep(3.2)  # the lockout is over
    assert login(client, "le-bon-mot-de-passe").status_code == 302
    assert client.get("/admin/").status_code == 200


@override_settings(ADMIN_LOGIN_FAILURES=3, ADMIN_LOGIN_LOCKOUT_S=60)
def test_a_spoofed_x_forwarded_for_does_not_escape_the_lockout(client, staff):
    for i in range(3):
        login(client, "devine", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    locked = login(client, "le-bon-mot-de-passe", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert "Trop de tentatives" in locked.content.decode()
