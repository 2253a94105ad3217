"""Storage behind one small interface, chosen by configuration."""

from __future__ import annotations

from flask import Flask, current_app

from webapp.storage.base import (
    MIN_PART_SIZE,
    InvalidUpload,
    MultipartInfo,
    ObjectNotFound,
    ObjectStat,
    PartInfo,
    Storage,
    StorageError,
    UploadNotFound,
    check_key,
    multipart_etag,
)
from webapp.storage.local import LocalStorage
from webapp.storage.s3 import S3Storage

__all__ = [
    "MIN_PART_SIZE",
    "InvalidUpload",
    "LocalStorage",
    "MultipartInfo",
    "ObjectNotFound",
    "ObjectStat",
    "PartInfo",
    "S3Storage",
    "Storage",
    "StorageError",
    "UploadNotFound",
    "build_s3_storage",
    "build_storage",
    "check_key",
    "get_storage",
    "init_app",
    "multipart_etag",
]


def build_s3_storage(config: dict) -> S3Storage:
    """The S3 backend the ``S3_*`` settings describe (whatever STORAGE_BACKEND says)."""
    return S3Storage(
        config["S3_BUCKET"],
        endpoint_url=config["S3_ENDPOINT_URL"],
        region=config["S3_REGION"],
        access_key=config["S3_ACCESS_KEY_ID"],
        secret_key=config["S3_SECRET_ACCESS_KEY"],
        path_style=config["S3_PATH_STYLE"],
        presign_endpoint_url=config.get("S3_PUBLIC_ENDPOINT_URL"),
        # Bounded in a web request (a few seconds at most, then 503); longer in the
        # worker (config.worker_overrides).
        max_attempts=config.get("S3_MAX_ATTEMPTS", 5),
        connect_timeout=config.get("S3_CONNECT_TIMEOUT", 5),
        read_timeout=config.get("S3_READ_TIMEOUT", 60),
    )


def build_storage(config: dict) -> Storage:
    """Build the backend the configuration names."""
    if config["STORAGE_BACKEND"] == "s3":
        return build_s3_storage(config)
    return LocalStorage(config["MEDIA_ROOT"])


def init_app(app: Flask) -> None:
    """Attach the configured backend to the app."""
    app.extensions["storage"] = build_storage(app.config)


def get_storage() -> Storage:
    """The current app's storage backend."""
    return current_app.extensions["storage"]
