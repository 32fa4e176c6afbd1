"""Ordre des pharmaciens: a zip whose member `*etablissements*` is a `;` CSV in UTF-16, and the
BAN geocoder (data.geopf.fr/geocodage/search) for the coordinates of each pharmacy."""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from typing import Callable, Iterator

from .datafair import Payload
from .http import HttpClient, SourceError

log = logging.getLogger(__name__)

COLONNES = ["Numéro d'établissement", "Raison sociale", "Dénomination commerciale", "Adresse", "Code postal",
            "Commune", "Téléphone", "Fax", "Région", "Département", "Type établissement"]


def pharmacies_rows(body: bytes) -> list[dict]:
    """Pure: the establishments of the zip. A CSV that is not UTF-16 with the expected header is a
    `SourceError` (the whole file is unreadable: nothing is guessed)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise SourceError(f"archive des pharmacies illisible : {exc}") from exc
    member = next((n for n in archive.namelist() if "etablissements" in n), None)
    if member is None:
        raise SourceError("aucun fichier « etablissements » dans l'archive des pharmacies")
    raw = archive.read(member)
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and (len(raw) < 2 or raw[1] != 0):
        raise SourceError(f"{member} : encodage inattendu (UTF-16 attendu)")
    try:
        text = raw.decode("utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-16-le")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{member} : encodage inattendu (UTF-16 attendu) : {exc}") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    if reader.fieldnames != COLONNES:
        raise SourceError(f"{member} : colonnes inattendues : {reader.fieldnames}")
    return list(reader)


def geocodage_requete(row: dict) -> str:
    return f"{row['Adresse']} {row['Code postal']} {row['Commune']}".strip()


def pharmacies_fetch(client: HttpClient, *, url: str, geocodage_url: str,
                     geocoder: Callable[[list[str]], dict[str, dict]]) -> Iterator[Payload]:
    """The zip, then the geocoder's answer for each pharmacy's address (`geocoder`: requests →
    answers, by batch), archived together so that a replay needs no network."""
    response, _ = client.get(url)
    yield Payload("file", url, response.content)
    rows = pharmacies_rows(response.content)
    answers = geocoder(list(dict.fromkeys(geocodage_requete(row) for row in rows)))
    log.info("pharmacies : %d adresses géocodées", len(answers))
    yield Payload("geocodage", geocodage_url, json.dumps(answers, ensure_ascii=False).encode())


def pharmacies_records(payloads: list[Payload]) -> list[dict]:
    """Pure: the rows, each with `_geocodage` = the geocoder's first feature (or None)."""
    rows: list[dict] = []
    answers: dict = {}
    for p in payloads:
        if p.kind == "file":
            rows = pharmacies_rows(p.body)
        elif p.kind == "geocodage":
            answers = json.loads(p.body)
    for row in rows:
        features = (answers.get(geocodage_requete(row)) or {}).get("features") or []
        row["_geocodage"] = features[0] if features else None
    return rows
