"""S3-compatible storage through boto3 (AWS S3, SeaweedFS, MinIO, Ceph, R2)."""

from __future__ import annotations

import base64
import builtins  # annotations below the `list` method must name the builtin
import contextlib
import hashlib
import io
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import IO, Any, BinaryIO

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from s3transfer.utils import ChunksizeAdjuster

from webapp.storage.base import (
    InvalidUpload,
    MultipartInfo,
    ObjectNotFound,
    ObjectStat,
    PartInfo,
    StorageError,
    UploadNotFound,
    check_expiry,
    check_key,
    check_part_number,
    file_md5,
    file_multipart_etag,
    multipart_etag,
    quote_etag,
)
from webapp.storage.content_types import content_disposition
from webapp.storage.content_types import content_type as type_for_key

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_BAD_UPLOAD = {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "MalformedXML"}
_CHUNK = 1024 * 1024
# Upload ids are opaque (base64-like); anything else is refused before it reaches the store.
_UPLOAD_ID_RE = re.compile(r"^[A-Za-z0-9._~+=/-]{1,1024}$")


def _upload_id(upload_id: str) -> str:
    if not _UPLOAD_ID_RE.match(upload_id):
        raise UploadNotFound(upload_id)
    return upload_id


def _translate(exc: Exception, what: str) -> StorageError:
    """Our exception for a boto3 failure (connection errors are plain, transient ones)."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code")
        if code in _NOT_FOUND:
            return ObjectNotFound(what)
        if code == "NoSuchUpload":
            return UploadNotFound(what)
        if code in _BAD_UPLOAD:
            return InvalidUpload(f"{what}: {exc}")
    return StorageError(f"{what}: {exc}")


_ERRORS = (ClientError, BotoCoreError, Boto3Error)


class _Body(io.RawIOBase):
    """An object's body whose network failures surface as StorageError."""

    def __init__(self, body: Any, key: str) -> None:
        self._body = body
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except _ERRORS as exc:
            raise _translate(exc, self._key) from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Storage:
    """Objects in one bucket; uploads are single PUTs or multipart, both atomic in S3.

    ``put_file`` switches to multipart at ``multipart_threshold`` bytes, in ``part_size``
    parts. Every call is retried by botocore (standard mode, ``max_attempts`` in all).
    Presigned URLs are signed for ``presign_endpoint_url`` when the store is reached
    under another name from browsers than from the app.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        path_style: bool = True,
        presign_endpoint_url: str | None = None,
        multipart_threshold: int = 64 * 1024**2,
        part_size: int = 16 * 1024**2,
        max_attempts: int = 5,
        connect_timeout: float = 5,
        read_timeout: float = 60,
    ) -> None:
        self.bucket = bucket
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            # S3-compatible stores differ in their support of the newer CRC checksums,
            # and browsers PUT presigned parts without them; Content-MD5 is used instead.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        options = {
            "region_name": region,
            "aws_access_key_id": access_key,
            "aws_secret_access_key": secret_key,
            "config": config,
        }
        self.client = boto3.client("s3", endpoint_url=endpoint_url, **options)
        self._presigner = (
            boto3.client("s3", endpoint_url=presign_endpoint_url, **options)
            if presign_endpoint_url
            else self.client
        )
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=part_size
        )

    def _call(self, fn: Any, key: str, **kwargs: Any) -> Any:
        try:
            return fn(Bucket=self.bucket, Key=check_key(key), **kwargs)
        except _ERRORS as exc:
            raise _translate(exc, key) from exc

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Upload a local file (multipart from ``multipart_threshold`` bytes on)."""
        extra = {"ContentType": content_type or type_for_key(key)}
        try:
            self.client.upload_file(
                str(path), self.bucket, check_key(key), ExtraArgs=extra, Config=self._transfer
            )
        except _ERRORS as exc:
            raise _translate(exc, key) from exc

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """PUT a small object."""
        content_md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        self._call(
            self.client.put_object,
            key,
            Body=data,
            ContentType=content_type or type_for_key(key),
            ContentMD5=content_md5,
        )

    def open(self, key: str) -> BinaryIO:
        """The object's body as a buffered stream."""
        body = self._call(self.client.get_object, key)["Body"]
        return io.BufferedReader(_Body(body, key), _CHUNK)

    def get_bytes(self, key: str) -> bytes:
        """GET the whole object."""
        with self.open(key) as body:
            return body.read()

    def download(self, key: str, dest: Path) -> None:
        """Download to a local file."""
        try:
            self.client.download_file(self.bucket, check_key(key), str(dest))
        except _ERRORS as exc:
            raise _translate(exc, key) from exc

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        try:
            self._call(self.client.head_object, key)
        except ObjectNotFound:
            return False
        return True

    def size(self, key: str) -> int:
        """ContentLength from HEAD."""
        return self.stat(key).size

    def stat(self, key: str) -> ObjectStat:
        """Size, ETag and content type from HEAD."""
        head = self._call(self.client.head_object, key)
        return ObjectStat(
            size=int(head["ContentLength"]),
            etag=head["ETag"],
            content_type=head.get("ContentType", ""),
        )

    def file_etag(self, path: Path) -> str:
        """The ETag ``put_file`` produces: md5 below the threshold, multipart md5 above."""
        size = path.stat().st_size
        if size < self.multipart_threshold:
            return file_md5(path)
        return file_multipart_etag(path, ChunksizeAdjuster().adjust_chunksize(self.part_size, size))

    def delete(self, key: str) -> None:
        """DELETE (idempotent in S3)."""
        self._call(self.client.delete_object, key)

    def delete_prefix(self, prefix: str) -> int:
        """Batch-delete every key under the prefix."""
        keys = list(self.list(check_key(prefix)))
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            try:
                reply = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            except _ERRORS as exc:
                raise _translate(exc, prefix) from exc
            if reply.get("Errors"):
                raise StorageError(f"{prefix}: could not delete {reply['Errors'][:3]}")
        return len(keys)

    def list(self, prefix: str) -> Iterator[str]:
        """Paginated ListObjectsV2 under ``prefix/`` (the whole bucket for ``""``)."""
        paginator = self.client.get_paginator("list_objects_v2")
        full = check_key(prefix) + "/" if prefix else ""
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for item in page.get("Contents", []):
                    yield item["Key"]
        except _ERRORS as exc:
            raise _translate(exc, prefix) from exc

    def check(self) -> None:
        """HEAD the bucket."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except _ERRORS as exc:
            raise StorageError(f"bucket {self.bucket}: {exc}") from exc

    # ------------------------------------------------------------------ direct delivery

    def presign_get(
        self, key: str, expires_in: int, *, download_name: str | None = None
    ) -> str | None:
        """A presigned GET that answers with our content type (and a file name if given)."""
        params = {
            "Bucket": self.bucket,
            "Key": check_key(key),
            "ResponseContentType": type_for_key(key),
        }
        if download_name:
            params["ResponseContentDisposition"] = content_disposition(download_name)
        return self._presign("get_object", params, expires_in)

    def _presign(self, operation: str, params: dict[str, Any], expires_in: int) -> str:
        try:
            return self._presigner.generate_presigned_url(
                operation, Params=params, ExpiresIn=check_expiry(expires_in)
            )
        except _ERRORS as exc:
            raise _translate(exc, params["Key"]) from exc

    # ------------------------------------------------------------------ multipart uploads

    def create_multipart(self, key: str, content_type: str | None = None) -> str:
        """CreateMultipartUpload; returns the upload id."""
        reply = self._call(
            self.client.create_multipart_upload, key, ContentType=content_type or type_for_key(key)
        )
        return reply["UploadId"]

    def presign_part(
        self, key: str, upload_id: str, part_number: int, expires_in: int
    ) -> str | None:
        """A presigned UploadPart URL (the client PUTs the part's bytes to it)."""
        params = {
            "Bucket": self.bucket,
            "Key": check_key(key),
            "UploadId": _upload_id(upload_id),
            "PartNumber": check_part_number(part_number),
        }
        return self._presign("upload_part", params, expires_in)

    def upload_part(self, key: str, upload_id: str, part_number: int, data: IO[bytes]) -> str:
        """UploadPart with Content-MD5, from a spooled copy so botocore can retry it."""
        check_part_number(part_number)
        digest = hashlib.md5()
        with tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK) as body:
            while block := data.read(_CHUNK):
                digest.update(block)
                body.write(block)
            body.seek(0)
            reply = self._call(
                self.client.upload_part,
                key,
                UploadId=_upload_id(upload_id),
                PartNumber=part_number,
                Body=body,
                ContentMD5=base64.b64encode(digest.digest()).decode(),
            )
        return reply["ETag"]

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        """ListParts, one entry per number.

        SeaweedFS keeps every copy of a re-sent part until completion (which picks the
        copy by ETag) and lists them all; the newest copy is the one reported here.
        """
        paginator = self.client.get_paginator("list_parts")
        newest: dict[int, dict[str, Any]] = {}
        try:
            pages = paginator.paginate(
                Bucket=self.bucket, Key=check_key(key), UploadId=_upload_id(upload_id)
            )
            for page in pages:
                for part in page.get("Parts", []):
                    seen = newest.get(part["PartNumber"])
                    if seen is None or part["LastModified"] >= seen["LastModified"]:
                        newest[part["PartNumber"]] = part
        except _ERRORS as exc:
            raise _translate(exc, upload_id) from exc
        return [
            PartInfo(number, quote_etag(part["ETag"]), int(part["Size"]))
            for number, part in sorted(newest.items())
        ]

    def complete_multipart(
        self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]
    ) -> None:
        """CompleteMultipartUpload; a retried completion that already succeeded passes."""
        numbers = [number for number, _ in parts]
        if not parts or numbers != sorted(set(numbers)):
            raise InvalidUpload("parts must be listed in ascending order, each once")
        listed = [{"PartNumber": number, "ETag": quote_etag(etag)} for number, etag in parts]
        try:
            self._call(
                self.client.complete_multipart_upload,
                key,
                UploadId=_upload_id(upload_id),
                MultipartUpload={"Parts": listed},
            )
        except UploadNotFound:
            if not self._completed_as(key, parts):
                raise

    def _completed_as(self, key: str, parts: builtins.list[tuple[int, str]]) -> bool:
        try:
            return self.stat(key).etag == multipart_etag([etag for _, etag in parts])
        except ObjectNotFound:
            return False

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """AbortMultipartUpload; an unknown upload is already gone."""
        with contextlib.suppress(UploadNotFound):
            self._call(self.client.abort_multipart_upload, key, UploadId=_upload_id(upload_id))

    def list_multipart_uploads(self, prefix: str) -> builtins.list[MultipartInfo]:
        """ListMultipartUploads under ``prefix/`` (the whole bucket for ``""``)."""
        paginator = self.client.get_paginator("list_multipart_uploads")
        full = check_key(prefix) + "/" if prefix else ""
        uploads = []
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for item in page.get("Uploads", []):
                    initiated = item["Initiated"].astimezone(UTC)
                    uploads.append(MultipartInfo(item["Key"], item["UploadId"], initiated))
        except _ERRORS as exc:
            raise _translate(exc, prefix) from exc
        return uploads
