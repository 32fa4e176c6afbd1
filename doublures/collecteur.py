"""A local HTTP server that records what it receives and answers 200: the stand-in of the
services the app only sends to (Sentry's envelope endpoint, a Prometheus Pushgateway) and of a
Prefect API's `/health`. Bodies are stored decompressed (gzip, as sentry-sdk sends them)."""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Requete:
    methode: str
    chemin: str
    entetes: dict[str, str]
    corps: bytes


class Collecteur:
    def __init__(self):
        self.requetes: list[Requete] = []
        self.recue = threading.Event()
        collecteur = self

        class Handler(BaseHTTPRequestHandler):
            def _recevoir(self):
                corps = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    corps = gzip.decompress(corps)
                collecteur.requetes.append(Requete(self.command, self.path, dict(self.headers), corps))
                collecteur.recue.set()
                reponse = json.dumps({"status": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reponse)))
                self.end_headers()
                self.wfile.write(reponse)

            do_GET = do_POST = do_PUT = _recevoir

            def log_message(self, *args):
                pass

        self.serveur = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serveur.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.serveur.server_address[1]}"

    def __enter__(self) -> "Collecteur":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.serveur.shutdown()
        self.serveur.server_close()
