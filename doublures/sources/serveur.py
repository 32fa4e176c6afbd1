"""One local HTTP server standing in for every source endpoint, in their real formats:
data-fair (`/data-fair/api/v1/datasets/<id>/lines` with the `{total, next, results}` envelope and
absolute `next` links, `/schema`), the CMA `reparacteur` pages, the pharmacies' zipped UTF-16 CSV,
SINOE (filtered by `ANNEE_eq`) and its nomenclature. Loopback only. Records come from
`generateur` (seeded, size-parameterised). Tests inject faults per path fragment."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from flows.sources.config import ECO_ORGANISMES
from geoapp.geocodage.resultats import Resultat, colonnes_resultat

from . import generateur

SINOE_DATASET = "sinoe-(r)-annuaire-des-decheteries-dma"
SINOE_NOMENCLATURE = "sinoe-r-nomenclature-dechets"


@dataclass
class ReglagesDoublure:
    seed: int = 42
    size: int = 50  # records per source unless `sizes` says otherwise
    sizes: dict = field(default_factory=dict)  # flux → records
    bad_rows: set = field(default_factory=set)  # flux whose extract ends with one bad row of each kind
    versions: dict = field(default_factory=dict)  # flux → version of the extract (changes a few rows)


class DoublureSources:
    """`with DoublureSources() as s: s.url` — the server runs in a thread until the block ends."""

    def __init__(self, config: ReglagesDoublure | None = None, *, slow_seconds: float = 2.0):
        self.config = config or ReglagesDoublure()
        self.faults: dict[str, list[str]] = {}  # path fragment → faults consumed one per request
        self.permanent_faults: dict[str, str] = {}  # path fragment → fault on every request
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        self._cache: dict = {}
        self._lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    # --- data -----------------------------------------------------------------------------------

    def size(self, flux: str) -> int:
        return self.config.sizes.get(flux, self.config.size)

    def dataset(self, dataset: str) -> list[dict]:
        with self._lock:
            key = (dataset, self.size(self._flux(dataset)), self.config.versions.get(self._flux(dataset), 0),
                   self._flux(dataset) in self.config.bad_rows)
            if key not in self._cache:
                if len(self._cache) >= 4:  # a few datasets at a time: the benchmark serves 500k records
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = self._build(dataset)
            return self._cache[key]

    def cma(self) -> list[dict]:
        """The CMA records, generated once per size (not once per page)."""
        with self._lock:
            key = ("cma", self.size("cma"), self.config.seed)
            if key not in self._cache:
                self._cache[key] = generateur.cma_records(self.size("cma"), seed=self.config.seed)
            return self._cache[key]

    def _flux(self, dataset: str) -> str:
        for cle, c in ECO_ORGANISMES.items():
            if c.dataset == dataset:
                return cle
        return "sinoe" if dataset == SINOE_DATASET else dataset

    def _build(self, dataset: str) -> list[dict]:
        flux = self._flux(dataset)
        if flux in ECO_ORGANISMES:
            records = generateur.eo_records(flux, self.size(flux), seed=self.config.seed,
                                           version=self.config.versions.get(flux, 0))
            if flux in self.config.bad_rows:
                records = records + generateur.eo_bad_rows(records)
            return records
        if flux == "sinoe":
            return generateur.sinoe_records(self.size("sinoe"), seed=self.config.seed)
        if dataset == SINOE_NOMENCLATURE:
            return list(generateur.SINOE_NOMENCLATURE)
        return []

    # --- lifecycle --------------------------------------------------------------------------------

    def __enter__(self) -> "DoublureSources":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, port: int = 0) -> "DoublureSources":
        doublure = self
        generateur.ban_adresses()  # load the BAN once, before the first request

        class Handler(_Handler):
            server_state = doublure

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, name="stand-in-http", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fault_for(self, path: str) -> str | None:
        with self._lock:
            for fragment, fault in self.permanent_faults.items():
                if fragment in path:
                    return fault
            for fragment, queue in self.faults.items():
                if fragment in path and queue:
                    return queue.pop(0)
        return None


class _Handler(BaseHTTPRequestHandler):
    server_state: DoublureSources
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one segment (no delayed-ACK stall on keep-alive)

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8",
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data, **kw) -> None:
        self._send(200, json.dumps(data, ensure_ascii=False).encode(), **kw)

    def do_GET(self) -> None:  # noqa: N802
        s = self.server_state
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        s.requests.append(self.path)
        fault = s.fault_for(path)
        if fault == "500":
            return self._send(500, b'{"error": "internal"}')
        if fault == "lent":
            time.sleep(s.slow_seconds)
        try:
            if path.startswith("/data-fair/api/v1/datasets/"):
                return self._datafair(path, query, fault)
            if path.rstrip("/") == "/reparacteur":
                return self._cma(query, fault)
            if path.endswith("/annuaire_csv.zip"):
                n = s.size("pharmacies")
                encoding = "latin-1" if fault == "encodage" else "utf-16"
                return self._send(200, generateur.pharmacies_zip(n, seed=s.config.seed, encoding=encoding),
                                  "application/zip")
            if path.startswith("/geocodage/"):
                return self._geocode(query)
        except BrokenPipeError:
            return None
        return self._send(404, b'{"error": "not found"}')

    def _datafair(self, path: str, query: dict, fault: str | None) -> None:
        s = self.server_state
        dataset, _, endpoint = path.removeprefix("/data-fair/api/v1/datasets/").partition("/")
        if endpoint == "schema":
            return self._json(generateur.eo_schema())
        if endpoint != "lines":
            return self._send(404, b'{"error": "not found"}')
        records = s.dataset(dataset)
        if "ANNEE_eq" in query:
            records = [r for r in records if str(r.get("ANNEE")) == query["ANNEE_eq"]]
        size = int(query.get("size", 20))
        after = int(query.get("after", 0))
        page = records[after:after + size]
        host = self.headers.get("Host")
        body: dict = {"total": len(records), "results": page}
        if after + size < len(records):
            nxt = {**query, "after": str(after + size)}
            body["next"] = f"http://{host}{urlsplit(self.path).path}?{urlencode(nxt)}"
        if fault == "coupe":  # the pagination stops early: no next, the total still announced
            body.pop("next", None)
        if fault == "boucle":
            body["next"] = f"http://{host}{self.path}"
        if fault == "schema":
            body = {"total": len(records), "rows": page}
        data = json.dumps(body, ensure_ascii=False).encode()
        if fault == "tronque":
            data = data[: len(data) // 2]
        headers = {"Link": f'<{body["next"]}>; rel=next'} if body.get("next") else None
        return self._send(200, data, headers=headers)

    def _cma(self, query: dict, fault: str | None) -> None:
        s = self.server_state
        records = s.cma()
        page, page_size = int(query.get("page", 1)), int(query.get("page_size", 100))
        chunk = records[(page - 1) * page_size: page * page_size]
        data = json.dumps({"total_entries": len(records), "data": chunk}, ensure_ascii=False).encode()
        if fault == "tronque":
            data = data[: len(data) // 2]
        return self._send(200, data)

    def _geocode(self, query: dict) -> None:
        """The BAN geocoder (`/geocodage/search/?q=`), answering from the bundled Paris BAN file:
        `<numéro> <voie> <code postal> <commune>` → that address's point."""
        resultat = _geocode_adresse(query.get("q", ""))
        return self._json({"type": "FeatureCollection", "features": [resultat.feature()] if resultat else []})

    def do_POST(self) -> None:  # noqa: N802
        """The BAN geocoder's batch endpoint (`/geocodage/search/csv/`): a multipart CSV whose
        `columns` make the address; the answer is each row with the result_* columns."""
        import csv
        import io
        from email import policy
        from email.parser import BytesParser

        s = self.server_state
        path = unquote(urlsplit(self.path).path)
        s.requests.append(f"POST {self.path}")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if s.fault_for(path) == "500":
            return self._send(500, b'{"error": "internal"}')
        if path.rstrip("/") != "/geocodage/search/csv":
            return self._send(404, b'{"error": "not found"}')
        message = BytesParser(policy=policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
        columns, data = [], b""
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "columns":
                columns.append(part.get_payload(decode=True).decode())
            elif part.get_filename() is not None:
                data = part.get_payload(decode=True)
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        out = io.StringIO()
        fields = list(rows[0]) if rows else columns
        writer = csv.DictWriter(out, fieldnames=[*fields, *colonnes_resultat(None)], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **colonnes_resultat(_geocode_adresse(" ".join(row[c] for c in columns)))})
        return self._send(200, out.getvalue().encode(), "text/csv; charset=utf-8")


def _geocode_adresse(q: str):
    """`<numéro> <voie> <code postal> <commune>` of the bundled Paris BAN → a Resultat, or None."""
    import re

    m = re.match(r"^(.*\b\d{5})\b", q)
    point = generateur.ban_index().get(m.group(1).strip().lower()) if m else None
    if point is None:
        return None
    return Resultat(label=q, score=0.93, id="", type="housenumber", lon=point[0], lat=point[1])
