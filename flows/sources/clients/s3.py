"""S3 files (Excel or CSV) of custom sources, through boto3 (any S3-compatible endpoint)."""

from __future__ import annotations

import csv
import io

from .datafair import Payload
from .http import SourceError, SourceInjoignable


def s3_client(*, endpoint_url: str | None):
    import boto3
    from botocore.config import Config
    from django.conf import settings

    keys = ({"aws_access_key_id": settings.SOURCES_S3_ACCESS_KEY, "aws_secret_access_key": settings.SOURCES_S3_SECRET_KEY}
            if settings.SOURCES_S3_ACCESS_KEY else {})  # otherwise boto3's usual chain (env, profile, role)
    return boto3.client("s3", endpoint_url=endpoint_url, region_name="eu-west-3", **keys,
                        config=Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=10,
                                      read_timeout=60))


def s3_fetch(*, endpoint_url: str | None, bucket: str, key: str) -> Payload:
    from botocore.exceptions import ClientError, EndpointConnectionError

    try:
        body = s3_client(endpoint_url=endpoint_url).get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404", "NoSuchBucket"):
            raise SourceError(f"fichier S3 absent : s3://{bucket}/{key}") from exc
        raise SourceInjoignable(f"S3 : {exc}") from exc
    except EndpointConnectionError as exc:
        raise SourceInjoignable(f"S3 injoignable : {exc}") from exc
    return Payload("file", f"s3://{bucket}/{key}", body)


def s3_rows(payload: Payload) -> list[dict]:
    """Pure: the rows of an `.xlsx` (first sheet, header on row 1) or `.csv` (`;`, `,` or tab
    separated, sniffed) file."""
    if payload.url.endswith(".xlsx"):
        import openpyxl

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(payload.body), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:
            raise SourceError(f"classeur illisible : {payload.url} : {exc}") from exc
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
        return [{h: ("" if v is None else v) for h, v in zip(header, row)} for row in rows
                if any(v not in (None, "") for v in row)]
    if payload.url.endswith(".csv"):
        try:
            text = payload.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{payload.url} : encodage inattendu (UTF-8 attendu)") from exc
        return list(csv.DictReader(io.StringIO(text), delimiter=csv_separateur(text, url=payload.url)))
    raise SourceError(f"format de fichier non pris en charge : {payload.url}")


CSV_ECHANTILLON = 64 * 1024  # characters the dialect is sniffed on (whole lines)


def _colonnes_constantes(echantillon: str, separateur: str, *, coupe: bool = False) -> int:
    """Fields per row when the csv module reads every row of the sample with `separateur` into the
    same number of fields (more than one), else 0; `coupe`: the sample ends within the file, its
    last row may be cut (a quoted field over several lines) and is not counted."""
    rows = [row for row in csv.reader(io.StringIO(echantillon), delimiter=separateur) if row]
    counts = {len(row) for row in (rows[:-1] if coupe and len(rows) > 1 else rows)}
    return counts.pop() if len(counts) == 1 and min(counts) > 1 else 0


def csv_separateur(text: str, *, url: str) -> str:
    """Pure: the delimiter of a CSV file, `;`, `,` or tab, as the csv module's Sniffer guesses it
    on its first lines, kept when every line then reads into the same number of fields; otherwise
    (the Sniffer gives up on separators inside quoted fields, or on CRLF lines) the one delimiter
    under which every line has the same number of fields, the most of them."""
    echantillon = text[:CSV_ECHANTILLON]
    coupe = len(text) > CSV_ECHANTILLON
    if coupe and "\n" in echantillon:
        echantillon = echantillon[:echantillon.rindex("\n")]
    try:
        separateur = csv.Sniffer().sniff(echantillon, delimiters=";,\t").delimiter
        if _colonnes_constantes(echantillon, separateur, coupe=coupe):
            return separateur
    except csv.Error:
        pass
    colonnes = {s: _colonnes_constantes(echantillon, s, coupe=coupe) for s in ";,\t"}
    separateur = max(colonnes, key=colonnes.get)
    if not colonnes[separateur]:
        raise SourceError(f"{url} : séparateur CSV introuvable (« ; », « , » ou tabulation attendu)")
    return separateur
