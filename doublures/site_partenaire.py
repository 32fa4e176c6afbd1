"""A partner's website, on another origin than the app (127.0.0.1 on a port of its own), serving
one page: where the tests embed the map and the assistant as a partner does."""

from __future__ import annotations

import http.server
import threading


class SitePartenaire:
    def __init__(self) -> None:
        self.html = b""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(site.html)

            def log_message(self, *args):
                pass

        self.serveur = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.serveur.server_address[1]}/"

    def __enter__(self) -> "SitePartenaire":
        threading.Thread(target=self.serveur.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.serveur.shutdown()
        self.serveur.server_close()
