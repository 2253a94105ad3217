"""Storage behind one small interface, chosen by configuration."""

from __future__ import annotations

from flask import Flask, current_app

from webapp.storage.base import ObjectNotFound, Storage, StorageError, check_key
from webapp.storage.local import LocalStorage
from webapp.storage.s3 import S3Storage

__all__ = [
    "LocalStorage",
    "ObjectNotFound",
    "S3Storage",
    "Storage",
    "StorageError",
    "build_storage",
    "check_key",
    "get_storage",
    "init_app",
]


def build_storage(config: dict) -> Storage:
    """Build the backend the configuration names."""
    if config["STORAGE_BACKEND"] == "s3":
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=config["S3_ENDPOINT_URL"],
            region=config["S3_REGION"],
            access_key=config["S3_ACCESS_KEY_ID"],
            secret_key=config["S3_SECRET_ACCESS_KEY"],
            path_style=config["S3_PATH_STYLE"],
        )
    return LocalStorage(config["MEDIA_ROOT"])


def init_app(app: Flask) -> None:
    """Attach the configured backend to the app."""
    app.extensions["storage"] = build_storage(app.config)


def get_storage() -> Storage:
    """The current app's storage backend."""
    return current_app.extensions["storage"]
