"""The open-data bucket (S3 protocol: AWS, any S3-compatible store, moto in tests and the demo):
a dated version per export day under `<prefix>/<AAAA-MM-JJ>/` and a copy under `<prefix>/latest/`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings

LATEST = "latest"
_JOUR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def s3_client():
    import boto3
    from botocore.config import Config

    kwargs = {"endpoint_url": settings.DONNEES_S3_ENDPOINT_URL, "region_name": settings.DONNEES_S3_REGION,
              "config": Config(connect_timeout=10, read_timeout=60, retries={"mode": "standard", "max_attempts": 3})}
    if settings.DONNEES_S3_ACCESS_KEY:
        kwargs |= {"aws_access_key_id": settings.DONNEES_S3_ACCESS_KEY,
                   "aws_secret_access_key": settings.DONNEES_S3_SECRET_KEY}
    return boto3.client("s3", **kwargs)


def cle_datee(*, jour: dt.date, nom: str) -> str:
    return f"{settings.DONNEES_S3_PREFIX}/{jour.isoformat()}/{nom}"


def cle_latest(*, nom: str) -> str:
    return f"{settings.DONNEES_S3_PREFIX}/{LATEST}/{nom}"


def fichier_deposer(*, chemin: Path, cle: str, content_type: str) -> None:
    s3_client().upload_file(str(chemin), settings.DONNEES_S3_BUCKET, cle, ExtraArgs={"ContentType": content_type})


def objet_copier(*, source: str, cle: str) -> None:
    s3_client().copy_object(Bucket=settings.DONNEES_S3_BUCKET, Key=cle,
                            CopySource={"Bucket": settings.DONNEES_S3_BUCKET, "Key": source},
                            MetadataDirective="COPY")


def versions_expirees_supprimer(*, aujourdhui: dt.date, jours: int) -> list[str]:
    """Deletes the dated versions older than `jours` days (never `latest`); returns their keys."""
    client = s3_client()
    limite = aujourdhui - dt.timedelta(days=jours)
    prefix = f"{settings.DONNEES_S3_PREFIX}/"
    supprimees = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=settings.DONNEES_S3_BUCKET, Prefix=prefix):
        for obj in page.get("Contents", []):
            dossier = obj["Key"][len(prefix):].split("/", 1)[0]
            if _JOUR.match(dossier) and dt.date.fromisoformat(dossier) < limite:
                supprimees.append(obj["Key"])
    for i in range(0, len(supprimees), 1000):
        client.delete_objects(Bucket=settings.DONNEES_S3_BUCKET,
                              Delete={"Objects": [{"Key": k} for k in supprimees[i:i + 1000]]})
    return supprimees


def objet_lire(*, cle: str):
    """The object's streaming body and length (raises the client's NoSuchKey when absent)."""
    reponse = s3_client().get_object(Bucket=settings.DONNEES_S3_BUCKET, Key=cle)
    return reponse["Body"], reponse["ContentLength"]
