"""The production settings pass Django's deployment checks, and refuse to start without secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SECRET = "k3y-" + "Zq8vN2xL7pRt5mWc9bYh4jDs6gFa1eUo0iKn3" * 2


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTED_PROXY"))}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**base, "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.production", **env})


def test_check_deploy_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "DEBUG",
                    DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="lvao.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    # the one silenced check is base.py's gis.W001 (Debian 12's GDAL 3.6, a choice of the project)
    assert "System check identified no issues (1 silenced)" in result.stdout
    assert setting("SILENCED_SYSTEM_CHECKS") == "['gis.W001']"


@pytest.mark.parametrize("secret", [None, "", "change-me", "insecure-local-key-change-me"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    env = {"DJANGO_ALLOWED_HOSTS": "lvao.example.org"}
    if secret is not None:
        env["DJANGO_SECRET_KEY"] = secret
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set to a secret of at least 50 random characters" in result.stderr


def setting(name: str, **env: str) -> str:
    result = manage("shell", "-c", f"from django.conf import settings; print(repr(settings.{name}))",
                    DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="lvao.example.org", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_forwarded_proto_header_is_trusted_only_behind_a_configured_proxy():
    assert setting("SECURE_PROXY_SSL_HEADER") == "None"  # a client could claim HTTPS
    assert setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
