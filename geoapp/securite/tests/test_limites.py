"""Rate limits that hold: one count per client in the shared Redis, whatever the process that
serves the request, the client seen through the configured trusted proxies only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache
from django.test import override_settings

from geoapp.securite.selectors import client_adresse_get

REPO = Path(__file__).resolve().parents[3]


def test_without_trusted_proxy_the_client_is_the_connection_peer():
    meta = {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    assert client_adresse_get(meta=meta, proxies=0) == "198.51.100.9"


def test_with_n_trusted_proxies_the_client_is_the_nth_address_from_the_right():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7 ,10.0.0.1"}
    assert client_adresse_get(meta=meta, proxies=1) == "10.0.0.1"
    assert client_adresse_get(meta=meta, proxies=2) == "203.0.113.7"
    assert client_adresse_get(meta=meta, proxies=5) == "6.6.6.6"  # fewer addresses: the leftmost
    assert client_adresse_get(meta={"REMOTE_ADDR": "10.0.0.2"}, proxies=2) == "10.0.0.2"


@pytest.mark.parametrize("path, reglage", [
    ("/api/v1/adresses?q=", "ADRESSES_THROTTLE_RATE"),       # the geocoder
    ("/api/v1/tiles/99/0/0.pbf", "TILES_THROTTLE_RATE"),     # vector tiles
    ("/carte/fond/3/4/2.png", "TILES_THROTTLE_RATE"),        # the map's background
    ("/api/v1/acteurs/inconnu", "API_THROTTLE_RATE"),        # the rest of the API
    ("/carte/inconnue/", "PAGES_THROTTLE_RATE"),             # the pages
])
@pytest.mark.django_db
def test_every_costly_endpoint_is_limited_per_client(client, path, reglage):
    with override_settings(**{reglage: "3/min"}):
        for _ in range(3):
            assert client.get(path).status_code != 429
        refused = client.get(path)
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 60
        assert "réessayez dans" in refused.content.decode().lower()
        assert client.get(path, REMOTE_ADDR="192.0.2.50").status_code != 429  # another client


@override_settings(ADRESSES_THROTTLE_RATE="3/min")
def test_a_spoofed_x_forwarded_for_does_not_reset_the_count(client):
    for i in range(3):
        assert client.get("/api/v1/adresses?q=", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}").status_code == 400
    response = client.get("/api/v1/adresses?q=", HTTP_X_FORWARDED_FOR="10.9.9.200")
    assert response.status_code == 429
    assert "réessayez" in response.json()["erreur"]


@override_settings(ADRESSES_THROTTLE_RATE="3/min", TRUSTED_PROXY_COUNT=2)
def test_behind_two_trusted_proxies_the_second_address_from_the_right_is_counted(client):
    # the client may prepend anything; the two proxies append the client then the first proxy
    for i in range(3):
        xff = f"6.6.6.{i}, 203.0.113.7, 10.0.0.1"
        assert client.get("/api/v1/adresses?q=", HTTP_X_FORWARDED_FOR=xff).status_code == 400
    assert client.get("/api/v1/adresses?q=", HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.7, 10.0.0.1").status_code == 429
    # another client behind the same proxies has its own count
    assert client.get("/api/v1/adresses?q=", HTTP_X_FORWARDED_FOR="203.0.113.8, 10.0.0.1").status_code == 400


def test_clearing_the_cache_leaves_the_keys_of_other_sites_in_redis():
    client = cache._cache.get_client(None, write=True)
    other = f"autre-site-{uuid.uuid4().hex}"
    client.set(other, "1", ex=60)
    cache.set("a-moi", "1")
    cache.clear()
    assert cache.get("a-moi") is None
    assert client.get(other) == b"1"
    client.delete(other)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_web_servers():
    """Two gunicorn servers (two processes) of the app on the same Redis, the geocoder limited to
    5 requests a minute per client. Their own key prefix: the count starts from nothing."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.test",
           "REDIS_KEY_PREFIX": f"test-deux-serveurs-{uuid.uuid4().hex}", "ADRESSES_THROTTLE_RATE": "5/min"}
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "gunicorn", "geoapp.config.wsgi:application",
                               "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
                              cwd=REPO, env=env) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    httpx.get(url + "/static/does-not-exist", timeout=1)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the web servers did not start"
                    assert all(p.poll() is None for p in procs), "a web server exited"
                    time.sleep(0.2)
        yield urls
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)


def test_two_web_processes_share_one_count(two_web_servers):
    a, b = two_web_servers
    statuses = [httpx.get(url + "/api/v1/adresses?q=", timeout=10).status_code for url in (a, b, a, b, a)]
    assert statuses == [400] * 5  # 5 requests within the rate, spread over both processes
    for url in (a, b):  # the count each one sees includes the other's requests
        response = httpx.get(url + "/api/v1/adresses?q=", timeout=10, headers={"X-Forwarded-For": "10.1.1.1"})
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0


@override_settings(ADRESSES_THROTTLE_RATE="1/min",
                   CACHES={"default": {"BACKEND": "geoapp.securite.cache.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
                                       "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}})
def test_without_redis_the_site_answers_without_its_limits(client, monkeypatch, caplog):
    from django.core.cache import caches

    from geoapp.securite import services

    monkeypatch.setattr(services, "_cache_injoignable_jusqua", 0.0)
    monkeypatch.setattr(services, "cache", caches.create_connection("default"))
    started = time.monotonic()
    statuses = [client.get("/api/v1/adresses?q=").status_code for _ in range(5)]
    assert statuses == [400] * 5  # answered, not a 500
    assert time.monotonic() - started < 3  # the unreachable cache is not waited for each time
    assert "cache injoignable" in caplog.text
