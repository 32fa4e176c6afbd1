"""The shared HTTP plumbing (`geoapp.common.http`), against a scripted local server: a 429 with
`Retry-After` waits that long, a 5xx is retried with a growing delay, the rate per host holds, a
4xx is an answer, a truncated JSON is retried. Times are read on the server's side."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.sources.clients.http import HttpClient, SourceError, SourceInjoignable
from geoapp.common.http import client_http, essais_politique


@contextmanager
def serveur(script: list[tuple[int, dict, bytes]] | None = None):
    """Answers each request with the next (status, headers, body) of `script`, then 200 `{}`;
    yields the state: url and the monotonic time of each request."""
    state = {"script": list(script or []), "temps": []}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self):
            body_in = self.rfile.read(int(self.headers.get("Content-Length") or 0))  # noqa: F841
            with lock:
                state["temps"].append(time.monotonic())
                status, headers, body = state["script"].pop(0) if state["script"] else (200, {}, b"{}")
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def ecarts(temps: list[float]) -> list[float]:
    return [b - a for a, b in zip(temps, temps[1:])]


def test_a_429_with_retry_after_waits_that_long_then_succeeds(caplog):
    with serveur([(429, {"Retry-After": "1"}, b"{}")]) as s:
        with client_http(timeout=5, essais=essais_politique(essais=3, pause=0.01)) as client:
            response = client.get(f"{s['url']}/x")
    assert response.status_code == 200 and len(s["temps"]) == 2
    assert ecarts(s["temps"])[0] >= 0.95  # Retry-After: 1, not the 10 ms backoff
    assert f"HTTP 429 sur {s['url']}/x ; nouvel essai (2/3)" in caplog.text


def test_a_5xx_is_retried_with_a_doubling_backoff_then_given_up():
    with serveur([(500, {}, b"{}")] * 4) as s:
        with client_http(timeout=5, essais=essais_politique(essais=4, pause=0.2, gigue=0)) as client:
            response = client.get(f"{s['url']}/x")
    assert response.status_code == 500 and len(s["temps"]) == 4  # 4 attempts, the last answer returned
    gaps = ecarts(s["temps"])
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.8 and sum(gaps) < 3  # 0.2, doubled each time


def test_a_4xx_is_not_retried():
    with serveur([(404, {}, b"{}")]) as s:
        with client_http(timeout=5, essais=essais_politique(essais=4, pause=0.01)) as client:
            assert client.get(f"{s['url']}/x").status_code == 404
    assert len(s["temps"]) == 1


def test_the_rate_per_host_holds_across_clients_and_hosts_are_independent():
    with serveur() as s:
        essais = essais_politique(essais=1, pause=0.01)
        with client_http(timeout=5, essais=essais, debit_par_hote=2) as a, \
                client_http(timeout=5, essais=essais, debit_par_hote=2) as b:
            for client in (a, b, a, b):  # one host, two clients: one request every 0.5 s
                client.get(f"{s['url']}/x")
            start = time.monotonic()
            a.get(s["url"].replace("127.0.0.1", "localhost") + "/x")  # another host: no wait
            other = time.monotonic() - start
    # the k-th request no sooner than k × 0.5 s after the first, seen from the server: the limiter
    # hands out slots every 0.5 s, so one arrival late by some 0.1 s (a busy machine) shortens the
    # next gap, not the schedule; without the limiter the four arrive within milliseconds
    temps = s["temps"][:4]
    assert all(temps[k] - temps[0] >= 0.5 * k - 0.1 for k in (1, 2, 3)), ecarts(s["temps"])
    assert other < 0.4


def test_the_source_client_retries_a_truncated_json_and_says_so_when_it_stays_truncated():
    with serveur([(200, {}, b'{"results": [')]) as s:
        with HttpClient(timeout=5, retries=3, backoff=0.01, rate_per_host=0) as client:
            _, data = client.get(f"{s['url']}/x", parse_json=True)
    assert data == {} and len(s["temps"]) == 2
    with serveur([(200, {}, b'{"results": [')] * 3) as s:
        with HttpClient(timeout=5, retries=3, backoff=0.01, rate_per_host=0) as client:
            with pytest.raises(SourceInjoignable, match="JSON tronqué ou invalide.*après 3 tentatives"):
                client.get(f"{s['url']}/x", parse_json=True)
    assert len(s["temps"]) == 3


def test_the_source_client_reports_the_status_after_its_attempts_and_a_4xx_at_once():
    with serveur([(503, {}, b"{}")] * 3) as s:
        with HttpClient(timeout=5, retries=3, backoff=0.01, rate_per_host=0) as client:
            with pytest.raises(SourceInjoignable, match=r"HTTP 503 .*\(après 3 tentatives\)"):
                client.get(f"{s['url']}/x")
    with serveur([(403, {}, b"{}")]) as s:
        with HttpClient(timeout=5, retries=3, backoff=0.01, rate_per_host=0) as client:
            with pytest.raises(SourceError, match="HTTP 403") as exc:
                client.get(f"{s['url']}/x")
    assert not isinstance(exc.value, SourceInjoignable) and len(s["temps"]) == 1
