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
                          env={**base, "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.production",
                               "DJANGO_READ_DOT_ENV": "false", **env})  # a developer's .env stays out


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


def test_docker_compose_ships_no_default_secret_and_reads_them_from_dotenv():
    import re

    import yaml

    text = (REPO / "docker-compose.yml").read_text()
    assert "postgres:postgres" not in text and "change-me" not in text
    references = re.findall(r"\$\{([A-Z_]+)(:[?-][^}]*)?\}", text)
    secrets_ = {name for name, _ in references if re.search(r"PASSWORD|SECRET|AUTH", name)}
    assert {"POSTGRES_PASSWORD", "DJANGO_SECRET_KEY", "PREFECT_AUTH_STRING"} <= secrets_
    for name in secrets_:
        modes = {mode[:2] for n, mode in references if n == name}
        assert ":?" in modes, f"{name}: no clear error when missing"  # `${VAR:?message}`
        assert ":-" not in modes, f"{name} has a default"
    example = (REPO / ".env.example").read_text()
    assert all(re.search(rf"^{name}=$", example, re.M) for name in secrets_)  # listed, without a value
    assert ".env" in (REPO / ".gitignore").read_text().split()
    assert ".env" in (REPO / ".dockerignore").read_text().split()

    services = yaml.safe_load(text)["services"]
    assert "PREFECT_SERVER_API_AUTH_STRING" in services["prefect-server"]["environment"]
    for service in services.values():  # published on the host's loopback only
        assert all(str(port).startswith("127.0.0.1:") for port in service.get("ports", []))
    # no component connects as the superuser (only the one-shot bootstrap's DATABASE_ADMIN_URL)
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if key.endswith("DATABASE_URL") or key.endswith("CONNECTION_URL"):
                assert "//postgres:" not in str(value), f"{name}.{key} connects as postgres"
