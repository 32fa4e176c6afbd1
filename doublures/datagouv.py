"""A local stand-in of the data.gouv.fr API (udata `/api/1`) on 127.0.0.1, for the tests and the
demo: datasets with their resources, read (`GET /api/1/datasets/<id>/`), a resource created
(`POST /api/1/datasets/<id>/resources/`) or updated (`PUT /api/1/datasets/<id>/resources/<rid>/`),
or its file uploaded (`POST /api/1/datasets/<id>/upload/`, `…/resources/<rid>/upload/`, multipart
field `file`). Writes need the `X-API-KEY` header; an unknown dataset or resource is a 404, a
resource without `title` or `url` a 400, as the real API answers."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_DATASET = re.compile(r"^/api/1/datasets/(?P<ds>[^/]+)/$")
_RESOURCES = re.compile(r"^/api/1/datasets/(?P<ds>[^/]+)/resources/$")
_RESOURCE = re.compile(r"^/api/1/datasets/(?P<ds>[^/]+)/resources/(?P<rid>[^/]+)/$")
_UPLOAD = re.compile(r"^/api/1/datasets/(?P<ds>[^/]+)/(?:resources/(?P<rid>[^/]+)/)?upload/$")


class DoublureDataGouv:
    def __init__(self, *, api_key: str = "cle-de-test", datasets: tuple[str, ...] = ("acteurs-economie-circulaire",)):
        self.api_key = api_key
        self.datasets: dict[str, dict] = {d: {"id": d, "slug": d, "title": d, "resources": []} for d in datasets}
        self.requetes: list[tuple[str, str]] = []  # (method, path), for the tests
        self.fichiers: dict[str, bytes] = {}  # resource id → uploaded bytes
        self.pannes: list[int] = []  # statuses to answer next, one per request (tests inject faults)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/1"

    def start(self) -> "DoublureDataGouv":
        doublure = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _repondre(self, status: int, corps: dict) -> None:
                data = json.dumps(corps, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _corps(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _traiter(self, methode: str) -> None:
                with doublure._lock:
                    doublure.requetes.append((methode, self.path))
                    panne = doublure.pannes.pop(0) if doublure.pannes else None
                corps = self._corps()
                if panne:
                    return self._repondre(panne, {"message": "panne injectée"})
                if methode != "GET" and self.headers.get("X-API-KEY") != doublure.api_key:
                    return self._repondre(401, {"message": "Invalid API Key"})
                with doublure._lock:
                    status, reponse = doublure._router(methode, self.path, corps, self.headers)
                self._repondre(status, reponse)

            def do_GET(self):
                self._traiter("GET")

            def do_POST(self):
                self._traiter("POST")

            def do_PUT(self):
                self._traiter("PUT")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "DoublureDataGouv":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the protocol -----------------------------------------------------------------------
    def _router(self, methode: str, chemin: str, corps: bytes, headers) -> tuple[int, dict]:
        for motif, methodes, action in (
            (_DATASET, ("GET",), self._jeu),
            (_RESOURCES, ("POST",), self._creer),
            (_RESOURCE, ("PUT", "GET"), self._modifier),
            (_UPLOAD, ("POST",), self._televerser),
        ):
            m = motif.match(chemin.split("?", 1)[0])
            if m:
                if methode not in methodes:
                    return 405, {"message": "Method Not Allowed"}
                jeu = self.datasets.get(m["ds"])
                if jeu is None:
                    return 404, {"message": "Dataset not found"}
                return action(jeu, m.groupdict().get("rid"), methode, corps, headers)
        return 404, {"message": "Not found"}

    def _jeu(self, jeu, _rid, _methode, _corps, _headers):
        return 200, jeu

    @staticmethod
    def _maintenant() -> str:
        return datetime.now(timezone.utc).isoformat()

    def _valider(self, donnees: dict) -> dict | None:
        manquants = [c for c in ("title", "url") if not donnees.get(c)]
        return {"errors": {c: ["Ce champ est obligatoire."] for c in manquants}} if manquants else None

    def _creer(self, jeu, _rid, _methode, corps, _headers):
        donnees = json.loads(corps or b"{}")
        if erreurs := self._valider(donnees):
            return 400, erreurs
        ressource = {**donnees, "id": str(uuid.uuid4()), "created_at": self._maintenant(),
                     "last_modified": self._maintenant()}
        jeu["resources"].append(ressource)
        return 201, ressource

    def _modifier(self, jeu, rid, methode, corps, _headers):
        ressource = next((r for r in jeu["resources"] if r["id"] == rid), None)
        if ressource is None:
            return 404, {"message": "Resource not found"}
        if methode == "GET":
            return 200, ressource
        donnees = json.loads(corps or b"{}")
        if erreurs := self._valider({**ressource, **donnees}):
            return 400, erreurs
        ressource.update(donnees, last_modified=self._maintenant())
        return 200, ressource

    def _televerser(self, jeu, rid, _methode, corps, headers):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + corps)
        fichier = next((p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"),
                       None) if message.is_multipart() else None
        if fichier is None:
            return 400, {"message": "Missing file"}
        nom = fichier.get_filename() or "fichier"
        if rid is None:
            ressource = {"id": str(uuid.uuid4()), "title": nom, "filetype": "file", "type": "main",
                         "created_at": self._maintenant()}
            jeu["resources"].append(ressource)
        else:
            ressource = next((r for r in jeu["resources"] if r["id"] == rid), None)
            if ressource is None:
                return 404, {"message": "Resource not found"}
        data = fichier.get_payload(decode=True)
        self.fichiers[ressource["id"]] = data
        ressource.update(url=f"{self.url}/../../fichiers/{ressource['id']}/{nom}", filesize=len(data),
                         filetype="file", last_modified=self._maintenant())
        return (201 if rid is None else 200), {**ressource, "success": True}
