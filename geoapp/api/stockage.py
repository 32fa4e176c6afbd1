"""The tiles' bucket (S3 protocol: AWS, any S3-compatible store, moto in tests): one object, the
PMTiles archive of the map's unfiltered low-zoom tiles (`TUILES_S3_BUCKET`, `TUILES_S3_CLE`), which
browsers read by HTTP range requests (through a CDN in production: `MAP_PMTILES_URL`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

PMTILES_CONTENT_TYPE = "application/vnd.pmtiles"
# what the CDN and browsers may keep: the archive is rewritten after each publication
PMTILES_CACHE_CONTROL = "public, max-age=300"


def s3_client():
    import boto3
    from botocore.config import Config

    kwargs = {"endpoint_url": settings.TUILES_S3_ENDPOINT_URL, "region_name": settings.TUILES_S3_REGION,
              "config": Config(connect_timeout=10, read_timeout=60, retries={"mode": "standard", "max_attempts": 3})}
    if settings.TUILES_S3_ACCESS_KEY:
        kwargs |= {"aws_access_key_id": settings.TUILES_S3_ACCESS_KEY,
                   "aws_secret_access_key": settings.TUILES_S3_SECRET_KEY}
    return boto3.client("s3", **kwargs)


def archive_generation_get() -> str | None:
    """The generation of the tiles (`selectors.tuile_generation`) the archive in the bucket holds,
    from its object metadata; None when there is no archive yet."""
    from botocore.exceptions import ClientError

    try:
        head = s3_client().head_object(Bucket=settings.TUILES_S3_BUCKET, Key=settings.TUILES_S3_CLE)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return head.get("Metadata", {}).get("generation")


def archive_deposer(*, chemin: Path, generation: str) -> None:
    """Replaces the archive (one PUT: readers get the old object or the new one, never a mix; the
    PMTiles reader sees the ETag change and reads the new header)."""
    s3_client().upload_file(str(chemin), settings.TUILES_S3_BUCKET, settings.TUILES_S3_CLE, ExtraArgs={
        "ContentType": PMTILES_CONTENT_TYPE, "CacheControl": PMTILES_CACHE_CONTROL,
        "Metadata": {"generation": generation}})
