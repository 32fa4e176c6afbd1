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
    """Pure: the rows of an `.xlsx` (first sheet, header on row 1) or `.csv` (`,` or `;`) file."""
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
        dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        return list(csv.DictReader(io.StringIO(text), delimiter=dialect))
    raise SourceError(f"format de fichier non pris en charge : {payload.url}")
