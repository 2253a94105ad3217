"""A rejected upload leaves nothing behind: no object, no open multipart upload, no temp
file and no empty folder (local disk prunes the folders a delete empties)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from tests.support.uploads import UploadApi
from webapp.storage import get_storage
from webapp.storage.local import LocalStorage

NOT_A_VIDEO = b"this is not a video at all\n" * 4000


def _tree(app: Flask) -> dict[str, list[Any]]:
    """Every file and folder under the media root and the upload temp folder, and what
    the store lists under ``uploads``."""
    paths = []
    for key in ("MEDIA_ROOT", "UPLOAD_TMP_DIR"):
        root = Path(app.config[key])
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath).relative_to(root)
            paths += [f"{key}/{here / name}" for name in dirnames + filenames]
    # The local store's own two folders (staging, ETags) stay once made; their contents count.
    paths = [p for p in paths if p not in ("MEDIA_ROOT/.meta", "MEDIA_ROOT/.uploads")]
    with app.app_context():
        storage = get_storage()
        return {
            "paths": sorted(paths),
            "objects": sorted(storage.list("uploads")),
            "open uploads": storage.list_multipart_uploads("uploads"),
        }


def _added(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """What ``after`` holds that ``before`` did not. Leftovers of earlier tests may be
    collected meanwhile (what vanishes is not this test's); what appears is."""
    return {key: [item for item in after[key] if item not in before[key]] for key in after}


NOTHING: dict[str, list[Any]] = {"paths": [], "objects": [], "open uploads": []}


def test_a_rejected_multipart_upload_leaves_no_folder(app: Flask, make_user) -> None:
    uploader = UploadApi(app, make_user("instructor"))
    before = _tree(app)
    upload_id = uploader.start(NOT_A_VIDEO, filename="fake.mp4")
    parts = uploader.put_all(upload_id, NOT_A_VIDEO)
    response = uploader.complete(upload_id, parts)
    assert response.status_code == 400, response.get_json()
    assert _added(before, _tree(app)) == NOTHING


def test_a_rejected_form_upload_leaves_no_file(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    auth.login(make_user("instructor").email)
    csrf = auth.csrf("/upload")
    before = _tree(app)
    data = {"csrf_token": csrf, "title": "Fake", "file": (io.BytesIO(NOT_A_VIDEO), "fake.mp4")}
    response = client.post("/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert _added(before, _tree(app)) == NOTHING


def test_local_delete_prunes_the_folders_it_empties(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    storage.put_bytes("uploads/7/abc/source.mp4", b"x")
    storage.put_bytes("uploads/7/keep.txt", b"y")
    storage.delete("uploads/7/abc/source.mp4")
    assert sorted(p.relative_to(storage.root).as_posix() for p in storage.root.rglob("*")) == [
        "uploads",
        "uploads/7",
        "uploads/7/keep.txt",
    ]
    storage.delete("uploads/7/keep.txt")
    assert list(storage.root.iterdir()) == []
    storage.put_bytes("uploads/7/again.txt", b"z")  # the pruned folders come back
    assert storage.get_bytes("uploads/7/again.txt") == b"z"
