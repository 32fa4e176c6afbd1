"""A local server speaking the BAN geocoding API protocol (`/search/`, `/search/csv/`) on
127.0.0.1, answered by the offline geocoder: what the tests (and a demo without network) point
the BAN API client at. `pannes`: that many first requests get a 503 (to exercise retries)."""

from __future__ import annotations

import csv
import io
import json
import threading
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from django.db import connections

from geoapp.geocodage.resultats import COLONNES_RESULTAT_CSV, Resultat, collection_geojson, colonnes_resultat
from geoapp.geocodage.selectors import adresse_rechercher


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, bytes]]:
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
    fields: dict[str, list[str]] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = payload
        else:
            fields.setdefault(name, []).append(payload.decode("utf-8"))
    return fields, files


def _handler(rechercher: Callable[[str, int], list[Resultat]], state: dict):
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so that the single serving thread never waits
        # on a client's idle keep-alive connection

        def log_message(self, format, *args):
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: dict) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def _panne(self) -> bool:
            state["requetes"] += 1
            if state["pannes"] > 0:
                state["pannes"] -= 1
                self._json(503, {"code": 503, "message": "service indisponible"})
                return True
            return False

        def do_GET(self):
            url = urlsplit(self.path)
            if self._panne():
                return
            if url.path.rstrip("/") != "/search":
                return self._json(404, {"code": 404, "message": "not found"})
            params = parse_qs(url.query)
            q = (params.get("q") or [""])[0].strip()
            if len(q) < 3:
                return self._json(400, {"code": 400, "message": "q must contain between 3 and 200 chars"})
            try:
                limit = int((params.get("limit") or ["5"])[0])
            except ValueError:
                return self._json(400, {"code": 400, "message": "limit must be an integer"})
            self._json(200, collection_geojson(q=q, limit=limit, resultats=rechercher(q, limit)))

        def do_POST(self):
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self._panne():
                return
            if url.path.rstrip("/") != "/search/csv":
                return self._json(404, {"code": 404, "message": "not found"})
            fields, files = _multipart(self.headers.get("Content-Type", ""), body)
            if "data" not in files:
                return self._json(400, {"code": 400, "message": "a CSV file must be provided in data field"})
            rows = list(csv.DictReader(io.StringIO(files["data"].decode("utf-8-sig"))))
            columns = fields.get("columns") or (list(rows[0]) if rows else [])
            postcode = (fields.get("postcode") or [None])[0]
            out = io.StringIO()
            fieldnames = (list(rows[0]) if rows else []) + list(COLONNES_RESULTAT_CSV)
            writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                q = " ".join(row.get(c) or "" for c in columns + ([postcode] if postcode else [])).strip()
                found = rechercher(q, 2) if len(q) >= 3 else []
                writer.writerow({**row, **colonnes_resultat(found[0] if found else None,
                                                            found[1] if len(found) > 1 else None)})
            self._send(200, out.getvalue().encode("utf-8"), "text/csv; charset=utf-8")

    return Handler


@contextmanager
def serveur_ban(*, rechercher: Callable[[str, int], list[Resultat]] | None = None, pannes: int = 0) -> Iterator[dict]:
    """Run the server while the block runs; yields {"url": base URL, "requetes": count, ...}."""
    if rechercher is None:
        def rechercher(q: str, limit: int) -> list[Resultat]:
            return adresse_rechercher(q=q, limit=limit)

    state = {"pannes": pannes, "requetes": 0}
    server = HTTPServer(("127.0.0.1", 0), _handler(rechercher, state))  # one thread: one DB connection

    def serve() -> None:
        try:
            server.serve_forever(poll_interval=0.1)
        finally:
            connections.close_all()  # this thread's connections

    thread = threading.Thread(target=serve, name="serveur-ban", daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
