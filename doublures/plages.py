"""A CDN in front of object storage, on loopback: serves objects (bytes by path) with HTTP range
requests as S3 and CDNs answer them (`206 Partial Content`, `Content-Range`, `Accept-Ranges`,
an `ETag`, `416` past the end) and CORS for the map's origin (the `Range` header allowed, the
headers a PMTiles reader reads exposed). Records each request (method, path, Range) for the tests."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading

_PLAGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class ServeurPlages:
    def __init__(self, objets: dict[str, bytes] | None = None):
        self.objets = dict(objets or {})
        self.requetes: list[tuple[str, str, str | None]] = []
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "ServeurPlages":
        doublure = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _cors(self):
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Expose-Headers", "ETag, Content-Range, Content-Length, Accept-Ranges")

            def do_OPTIONS(self):  # noqa: N802
                doublure.requetes.append(("OPTIONS", self.path, None))
                self.send_response(204)
                self._cors()
                self.send_header("Access-Control-Allow-Methods", "GET, HEAD")
                self.send_header("Access-Control-Allow-Headers", "Range, If-Match, If-None-Match")
                self.send_header("Access-Control-Max-Age", "600")
                self.end_headers()

            def do_GET(self):  # noqa: N802
                plage = self.headers.get("Range")
                doublure.requetes.append(("GET", self.path, plage))
                corps = doublure.objets.get(self.path.split("?", 1)[0])
                if corps is None:
                    self.send_response(404)
                    self._cors()
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.md5(corps).hexdigest() + '"'
                debut, fin, statut = 0, len(corps) - 1, 200
                m = _PLAGE.match(plage or "")
                if m and (m.group(1) or m.group(2)):
                    if m.group(1):
                        debut = int(m.group(1))
                        fin = min(int(m.group(2)), len(corps) - 1) if m.group(2) else len(corps) - 1
                    else:  # the last N bytes
                        debut = max(0, len(corps) - int(m.group(2)))
                    if debut >= len(corps) or debut > fin:
                        self.send_response(416)
                        self._cors()
                        self.send_header("Content-Range", f"bytes */{len(corps)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    statut = 206
                morceau = corps[debut:fin + 1]
                self.send_response(statut)
                self._cors()
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "application/vnd.pmtiles")
                self.send_header("ETag", etag)
                self.send_header("Cache-Control", "public, max-age=300")
                if statut == 206:
                    self.send_header("Content-Range", f"bytes {debut}-{fin}/{len(corps)}")
                self.send_header("Content-Length", str(len(morceau)))
                self.end_headers()
                self.wfile.write(morceau)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> "ServeurPlages":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
