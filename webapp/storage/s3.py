"""S3-compatible storage through boto3 (AWS S3, SeaweedFS, MinIO, Ceph, R2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from webapp.storage.base import ObjectNotFound, StorageError, check_key

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """Objects in one bucket; uploads are single PUTs or multipart, both atomic in S3."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        path_style: bool = True,
    ) -> None:
        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                s3={"addressing_style": "path" if path_style else "auto"},
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
        )
        self._transfer = TransferConfig(multipart_threshold=64 * 1024**2)

    def _call(self, fn: Any, key: str, **kwargs: Any) -> Any:
        try:
            return fn(Bucket=self.bucket, Key=check_key(key), **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                raise ObjectNotFound(key) from exc
            raise StorageError(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageError(str(exc)) from exc

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Upload a local file (multipart above 64 MiB)."""
        extra = {"ContentType": content_type} if content_type else None
        try:
            self.client.upload_file(
                str(path), self.bucket, check_key(key), ExtraArgs=extra, Config=self._transfer
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """PUT a small object."""
        extra = {"ContentType": content_type} if content_type else {}
        self._call(self.client.put_object, key, Body=data, **extra)

    def open(self, key: str) -> BinaryIO:
        """The object's body as a stream."""
        return self._call(self.client.get_object, key)["Body"]

    def get_bytes(self, key: str) -> bytes:
        """GET the whole object."""
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def download(self, key: str, dest: Path) -> None:
        """Download to a local file."""
        try:
            self.client.download_file(self.bucket, check_key(key), str(dest))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                raise ObjectNotFound(key) from exc
            raise StorageError(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageError(str(exc)) from exc

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        try:
            self._call(self.client.head_object, key)
        except ObjectNotFound:
            return False
        return True

    def size(self, key: str) -> int:
        """ContentLength from HEAD."""
        return int(self._call(self.client.head_object, key)["ContentLength"])

    def delete(self, key: str) -> None:
        """DELETE (idempotent in S3)."""
        self._call(self.client.delete_object, key)

    def delete_prefix(self, prefix: str) -> int:
        """Batch-delete every key under the prefix."""
        keys = list(self.list(prefix))
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            try:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(str(exc)) from exc
        return len(keys)

    def list(self, prefix: str) -> Iterator[str]:
        """Paginated ListObjectsV2 under ``prefix/``."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=check_key(prefix) + "/"):
                for item in page.get("Contents", []):
                    yield item["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc

    def check(self) -> None:
        """HEAD the bucket."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"bucket {self.bucket}: {exc}") from exc
