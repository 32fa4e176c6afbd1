"""The clone mechanics shared by every clone flow, tested without Prefect.

A clone streams its download (never the whole file in memory) into a NEW timestamped table of
schema `reference` with COPY, checks the schema (the CSV header / the keys of the JSON objects) and
a minimum row count, runs the dataset's post-processing (normalised columns, indexes, geometry),
then, in the same transaction, points the stable name (a view `reference.<nom>`) at the new table
and drops the older copies. Everything happens in ONE transaction: a failed, short or killed load
rolls back, which drops the new table and leaves the previous one in use."""

from __future__ import annotations

import codecs
import csv
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import httpx
import ijson
from psycopg import sql

from geoapp.common.databases import warehouse_connect

SCHEMA = "reference"
CHUNK = 1 << 20
DEBUT_GARDE = 1 << 16  # the first bytes of a JSON document kept to explain one without objects


class CloneError(Exception):
    """A clone that must not replace the table in use."""


class CloneSchemaError(CloneError):
    pass


class CloneTooShortError(CloneError):
    pass


@dataclass(frozen=True)
class Colonne:
    nom: str
    type: str = "text"


@dataclass(frozen=True)
class JeuDeDonnees:
    """A reference dataset: its stable name in `reference`, its official download `url` and the
    production minimum row count `min_lignes` (both overridable per environment: settings
    CLONE_URLS / CLONE_MIN_ROWS), its format and its columns.

    - format "csv": `entete` is the exact expected header (same order as `colonnes`);
    - format "json" (an array of objects) / "geojson" (a FeatureCollection): `ligne` turns one
      object into a row of `colonnes`, `cles` are the keys every object must have.
    `apres` are SQL statements run on the new table (`{table}`) before the swap; `derivees` are
    tables built from it (`{table}`, `{derivee}`) swapped together with it under their own names."""

    nom: str
    url: str
    min_lignes: int
    format: str
    colonnes: tuple[Colonne, ...]
    entete: tuple[str, ...] = ()
    delimiteur: str = ","
    ligne: Callable[[dict], tuple] | None = None
    cles: tuple[str, ...] = ()
    apres: tuple[str, ...] = ()
    derivees: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class RapportClone:
    nom: str
    table: str
    lignes: int
    secondes: float
    anciennes_supprimees: list[str]

    def as_dict(self) -> dict:
        return {"nom": self.nom, "table": self.table, "lignes": self.lignes, "secondes": round(self.secondes, 2),
                "anciennes_supprimees": self.anciennes_supprimees}


# --- bytes in --------------------------------------------------------------------------------------

def octets_telecharges(url: str, *, timeout: float = 60.0) -> Iterator[bytes]:
    """The body of `url` in chunks (http(s) streamed; file:// or a path read in chunks)."""
    if url.startswith(("http://", "https://")):
        with httpx.stream("GET", url, timeout=httpx.Timeout(timeout, connect=10.0), follow_redirects=True) as response:
            response.raise_for_status()
            yield from response.iter_bytes(CHUNK)  # a Content-Encoding is undone, the file's own gzip is not
        return
    path = Path(url.removeprefix("file://"))
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def octets_decompresses(chunks: Iterable[bytes], *, url: str) -> Iterator[bytes]:
    """Gzip (by suffix) decompressed on the fly; a zip spooled to a temporary FILE (a zip cannot be
    read without seeking) and its first CSV member streamed out of it."""
    name = url.split("?")[0].lower()
    if name.endswith(".gz"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        for chunk in chunks:
            if out := inflater.decompress(chunk):
                yield out
        if tail := inflater.flush():
            yield tail
    elif name.endswith(".zip"):
        with tempfile.TemporaryFile() as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            with zipfile.ZipFile(spool) as archive:
                member = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
                with archive.open(member) as fh:
                    while chunk := fh.read(CHUNK):
                        yield chunk
    else:
        yield from chunks


def source_octets(url: str, *, timeout: float = 60.0) -> Iterator[bytes]:
    return octets_decompresses(octets_telecharges(url, timeout=timeout), url=url)


# --- CSV -------------------------------------------------------------------------------------------

def entete_et_suite(chunks: Iterator[bytes]) -> tuple[list[str], bytes, Iterator[bytes]]:
    """Split the first line off a byte stream: (header fields, the rest of the first chunk(s), the
    remaining chunks). The header is parsed as CSV later with the dataset's delimiter."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        if b"\n" in buffer:
            break
    line, _, rest = buffer.partition(b"\n")
    return line.decode("utf-8-sig").rstrip("\r"), rest, chunks


def entete_verifier(*, jeu: JeuDeDonnees, ligne: str) -> None:
    fields = next(csv.reader([ligne], delimiter=jeu.delimiteur)) if ligne else []
    if tuple(fields) != jeu.entete:
        missing = [c for c in jeu.entete if c not in fields]
        extra = [c for c in fields if c not in jeu.entete]
        raise CloneSchemaError(
            f"{jeu.nom}: unexpected header (missing {missing[:10]}, unexpected {extra[:10]}"
            + (", order differs" if not missing and not extra else "") + ")"
        )


# --- JSON ------------------------------------------------------------------------------------------

def objets_json(chunks: Iterable[bytes], *, tableau: str | None = None) -> Iterator[dict]:
    """The items of a JSON array, each parsed by ijson (its C backend builds them) and yielded as
    soon as its bytes have arrived, never the whole document in memory: the top-level array, or
    the array under key `tableau` of the top-level object (a FeatureCollection's "features"). A
    truncated document raises CloneSchemaError ("not closed") once its bytes end, a malformed one
    as soon as it goes wrong, a document without that array too."""
    lecteur = _Lecteur(_sans_bom(chunks))
    n = 0
    try:
        for objet in ijson.items(lecteur, "item" if tableau is None else f"{tableau}.item", use_float=True):
            n += 1
            yield objet
    except ijson.JSONError as error:
        message = _premiere_ligne(error)
        if not lecteur.lus:
            raise CloneSchemaError("empty JSON document") from error
        if lecteur.fini and "premature EOF" in message:
            raise CloneSchemaError(f"JSON {'array' if n else 'document'} not closed: the file is truncated "
                                   f"({message})") from error
        raise CloneSchemaError(f"malformed JSON: {message}") from error
    if not n and not _tableau_ouvert(bytes(lecteur.debut), parent="" if tableau is None else tableau):
        raise CloneSchemaError(f"no JSON array{' under ' + repr(tableau) if tableau else ''}")


class _Lecteur:
    """The chunks as the file ijson reads (`read(n)`: at most n bytes, b"" at the end), keeping
    the document's first DEBUT_GARDE bytes (where an array that holds nothing was opened)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._reste = b""
        self.debut = bytearray()
        self.lus = 0
        self.fini = False

    def read(self, n: int = -1) -> bytes:
        while not self._reste:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.fini = True
                return b""
            self._reste = chunk
        taille = len(self._reste) if n is None or n < 0 else n
        out, self._reste = self._reste[:taille], self._reste[taille:]
        if len(self.debut) < DEBUT_GARDE:
            self.debut += out[:DEBUT_GARDE - len(self.debut)]
        self.lus += len(out)
        return out


def _tableau_ouvert(debut: bytes, *, parent: str) -> bool:
    """Whether the array under `parent` ("" for the top level) opens in these first bytes."""
    try:
        for prefix, event, _ in ijson.parse(debut):
            if prefix == parent and event == "start_array":
                return True
    except ijson.JSONError:
        pass
    return False


def _premiere_ligne(error: Exception) -> str:
    """yajl's message without the excerpt it draws under it."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _sans_bom(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes without a leading UTF-8 byte order mark (whatever the chunking)."""
    it = iter(chunks)
    debut = b""
    for chunk in it:
        debut += chunk
        if len(debut) >= len(codecs.BOM_UTF8):
            break
    yield debut.removeprefix(codecs.BOM_UTF8)
    yield from it


# --- the load --------------------------------------------------------------------------------------

def _create_table(conn, *, table: str, jeu: JeuDeDonnees) -> None:
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.nom), sql.SQL(c.type)) for c in jeu.colonnes
    )
    conn.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(sql.Identifier(SCHEMA), sql.Identifier(table), columns))


class _Suivi:
    """What a clone reports while it copies (a `flows.progression.Progression`, or nothing): one
    stage per URL, then the derived tables and the swap; the rows copied so far."""

    def __init__(self, progression) -> None:
        self.progression = progression

    def url(self, index: int, url: str) -> None:
        if self.progression is not None:
            self.progression.etape(index, f"téléchargement de {url}")

    def lignes(self, n: int) -> None:
        if self.progression is not None:
            self.progression.avancer(n, None, "lignes copiées")

    def bascule(self, index: int, lignes: int) -> None:
        if self.progression is not None:
            self.progression.avancer(lignes, lignes, "lignes copiées")
            self.progression.etape(index, "tables dérivées, index et bascule")


def _copy_csv(conn, *, table: str, jeu: JeuDeDonnees, urls: list[str], timeout: float, suivi: _Suivi) -> int:
    copy_sql = sql.SQL("COPY {}.{} ({}) FROM STDIN WITH (FORMAT csv, DELIMITER {}, ENCODING 'UTF8')").format(
        sql.Identifier(SCHEMA), sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c.nom) for c in jeu.colonnes), sql.Literal(jeu.delimiteur),
    )
    total = 0
    for i, url in enumerate(urls):
        suivi.url(i, url)
        header, rest, chunks = entete_et_suite(source_octets(url, timeout=timeout))
        entete_verifier(jeu=jeu, ligne=header)
        with conn.cursor() as cur:
            with cur.copy(copy_sql) as copy:
                lues = 0  # lines sent so far (the rows, but for quoted line breaks)
                if rest:
                    copy.write(rest)
                    lues += rest.count(b"\n")
                for chunk in chunks:
                    copy.write(chunk)
                    lues += chunk.count(b"\n")
                    suivi.lignes(total + lues)
            total += cur.rowcount
    return total


def _copy_json(conn, *, table: str, jeu: JeuDeDonnees, urls: list[str], timeout: float, suivi: _Suivi) -> int:
    copy_sql = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
        sql.Identifier(SCHEMA), sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c.nom) for c in jeu.colonnes)
    )
    total = 0
    for i, url in enumerate(urls):
        suivi.url(i, url)
        objets = _objets_du_fichier(jeu=jeu, url=url, timeout=timeout)
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for n, obj in enumerate(objets, 1):
                if not isinstance(obj, dict):
                    raise CloneSchemaError(f"{jeu.nom}: object {n} of {url} is not a JSON object")
                missing = [k for k in jeu.cles if k not in obj]
                if missing:
                    raise CloneSchemaError(f"{jeu.nom}: object {n} of {url} lacks {missing}")
                copy.write_row(jeu.ligne(obj))
                total += 1
                if total % 1000 == 0:
                    suivi.lignes(total)
    return total


def _objets_du_fichier(*, jeu: JeuDeDonnees, url: str, timeout: float) -> Iterator[dict]:
    try:
        yield from objets_json(source_octets(url, timeout=timeout), tableau="features" if jeu.format == "geojson" else None)
    except CloneSchemaError as error:
        raise CloneSchemaError(f"{jeu.nom}: {url}: {error}") from error


def _clone_tables(conn, nom: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename ~ %s ORDER BY tablename",
        [SCHEMA, f"^{nom}__[0-9]{{20}}$"],
    )]


def clone_charger(*, jeu: JeuDeDonnees, urls: list[str], min_lignes: int, timeout: float = 60.0,
                  progression=None) -> RapportClone:
    """Clone `jeu` from `urls` (their rows appended) into `reference.<nom>__<timestamp>`, then swap
    `reference.<nom>` onto it. Raises CloneError (schema, too few rows) and network errors; in every
    failure the previous table stays in use and nothing of the new one is left. `progression`: a
    `flows.progression.Progression` of `len(urls) + 1` stages, told the rows copied as they go."""
    suivi = _Suivi(progression)
    started = time.monotonic()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
    table = f"{jeu.nom}__{stamp}"
    with warehouse_connect() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"clone:{jeu.nom}"])
        conn.execute("SET LOCAL synchronous_commit = off")
        _create_table(conn, table=table, jeu=jeu)
        load = _copy_csv if jeu.format == "csv" else _copy_json
        rows = load(conn, table=table, jeu=jeu, urls=urls, timeout=timeout, suivi=suivi)
        if rows < min_lignes:
            raise CloneTooShortError(f"{jeu.nom}: {rows} rows, fewer than the minimum {min_lignes}: previous table kept")
        suivi.bascule(len(urls), rows)
        qualified = f"{SCHEMA}.{sql.Identifier(table).as_string(conn)}"
        for statement in jeu.apres:
            conn.execute(statement.format(table=qualified))
        names = {jeu.nom: table}
        for derived, statements in jeu.derivees.items():
            derived_table = f"{derived}__{stamp}"
            names[derived] = derived_table
            target = f"{SCHEMA}.{sql.Identifier(derived_table).as_string(conn)}"
            for statement in statements:
                conn.execute(statement.format(table=qualified, derivee=target))
        dropped = []
        for name, new_table in names.items():
            conn.execute(sql.SQL("ANALYZE {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(new_table)))
            conn.execute(sql.SQL("DROP VIEW IF EXISTS {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE VIEW {}.{} AS SELECT * FROM {}.{}").format(
                sql.Identifier(SCHEMA), sql.Identifier(name), sql.Identifier(SCHEMA), sql.Identifier(new_table)))
            for older in _clone_tables(conn, name):
                if older != new_table:
                    conn.execute(sql.SQL("DROP TABLE {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(older)))
                    dropped.append(older)
    return RapportClone(nom=jeu.nom, table=f"{SCHEMA}.{table}", lignes=rows, secondes=time.monotonic() - started,
                        anciennes_supprimees=dropped)


def clone_table_courante(*, nom: str) -> str | None:
    """The timestamped table `reference.<nom>` points at now, or None."""
    with warehouse_connect() as conn:
        row = conn.execute(
            """SELECT t.relname FROM pg_depend d
               JOIN pg_rewrite r ON r.oid = d.objid
               JOIN pg_class v ON v.oid = r.ev_class
               JOIN pg_namespace n ON n.oid = v.relnamespace
               JOIN pg_class t ON t.oid = d.refobjid
               WHERE n.nspname = %s AND v.relname = %s AND t.relkind = 'r' AND t.oid <> v.oid
               LIMIT 1""",
            [SCHEMA, nom],
        ).fetchone()
    return row[0] if row else None


def clone_tables(*, nom: str) -> list[str]:
    with warehouse_connect() as conn:
        return _clone_tables(conn, nom)

