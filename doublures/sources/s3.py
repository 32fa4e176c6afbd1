"""An S3-compatible server on loopback (moto in server mode) holding the source files: generated
Excel workbooks under `<source code>/…` in the bucket of the settings."""

from __future__ import annotations

import socket

from . import generateur

S3_FILES = {"lvao/acteurs.xlsx": "lvao"}  # key → source code of the rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DoublureS3:
    def __init__(self, *, bucket: str = "lvao-data-source", size: int = 50, seed: int = 42):
        self.bucket, self.size, self.seed = bucket, size, seed
        self.server = None
        self.port = _free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="eu-west-3", aws_access_key_id="test",
                            aws_secret_access_key="test")

    def start(self) -> "DoublureS3":
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        client = self.client()
        try:  # moto keeps its buckets per process: another stand-in of this process may have made it
            client.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
        for key, source in S3_FILES.items():
            self.put(key, generateur.s3_xlsx(generateur.s3_rows(source, self.size, seed=self.seed)))
        return self

    def put(self, key: str, body: bytes) -> None:
        self.client().put_object(Bucket=self.bucket, Key=key, Body=body)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> "DoublureS3":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
