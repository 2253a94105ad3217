"""One behaviour, two backends: every test runs on local disk and on a real S3 (SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.s3server import S3Server
from webapp.storage import (
    MIN_PART_SIZE,
    InvalidUpload,
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    Storage,
    StorageError,
    UploadNotFound,
    multipart_etag,
)
from webapp.storage.base import quote_etag
from webapp.storage.content_types import content_type

MiB = 1024**2


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """A backend holding nothing yet; S3 goes multipart from 5 MiB, in 5 MiB parts."""
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    server: S3Server = request.getfixturevalue("s3_server")
    return server.storage(multipart_threshold=5 * MiB, part_size=5 * MiB)


def _md5(data: bytes) -> str:
    return quote_etag(hashlib.md5(data).hexdigest())


def _http(url: str, data: bytes | None = None, method: str = "GET"):
    request = urllib.request.Request(url, data=data, method=method)
    return urllib.request.urlopen(request, timeout=30)  # noqa: S310 (loopback test server)


# --------------------------------------------------------------------------- objects


def test_bytes_round_trip(store: Storage) -> None:
    key = "videos/1/hls/1/master.m3u8"
    store.put_bytes(key, b"#EXTM3U\n")
    assert store.exists(key)
    assert store.get_bytes(key) == b"#EXTM3U\n"
    with store.open(key) as body:
        assert body.read() == b"#EXTM3U\n"
    assert store.size(key) == 8
    stat = store.stat(key)
    assert (stat.size, stat.etag) == (8, _md5(b"#EXTM3U\n"))


def test_file_round_trip(store: Storage, tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    source.write_bytes(os.urandom(300_000))
    store.put_file("sources/2/original.mp4", source)
    dest = tmp_path / "out.mp4"
    store.download("sources/2/original.mp4", dest)
    assert dest.read_bytes() == source.read_bytes()
    assert store.stat("sources/2/original.mp4").etag == store.file_etag(source)


def test_overwrite_replaces_object(store: Storage) -> None:
    store.put_bytes("a/b.ts", b"first")
    store.put_bytes("a/b.ts", b"second version")
    assert store.get_bytes("a/b.ts") == b"second version"
    assert store.stat("a/b.ts").etag == _md5(b"second version")


def test_empty_object(store: Storage) -> None:
    store.put_bytes("a/empty.vtt", b"")
    assert store.get_bytes("a/empty.vtt") == b""
    assert store.size("a/empty.vtt") == 0


def test_missing_key_is_object_not_found(store: Storage, tmp_path: Path) -> None:
    key = "videos/404/nothing.ts"
    assert not store.exists(key)
    for read in (store.get_bytes, store.open, store.size, store.stat):
        with pytest.raises(ObjectNotFound):
            read(key)
    with pytest.raises(ObjectNotFound):
        store.download(key, tmp_path / "x")
    store.delete(key)  # deleting nothing is fine
    assert store.delete_prefix("videos/404") == 0
    assert list(store.list("videos/404")) == []


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../escape", "a/../../b", "a//b", "a/", ".hidden", "a b", "a/\x00", "ä"],
)
def test_invalid_keys_are_rejected(store: Storage, key: str) -> None:
    calls = [
        lambda: store.put_bytes(key, b"x"),
        lambda: store.get_bytes(key),
        lambda: store.open(key),
        lambda: store.exists(key),
        lambda: store.stat(key),
        lambda: store.delete(key),
        lambda: store.presign_get(key, 60),
        lambda: store.create_multipart(key),
    ]
    if key:  # "" lists everything
        calls.append(lambda: list(store.list(key)))
        calls.append(lambda: store.delete_prefix(key))
    for call in calls:
        with pytest.raises(ValueError):
            call()


def test_list_delete_and_prefixes(store: Storage) -> None:
    keys = ["videos/1/a.ts", "videos/1/hls/b.ts", "videos/10/c.ts", "sources/1/s.mp4"]
    for key in keys:
        store.put_bytes(key, key.encode())
    assert sorted(store.list("videos/1")) == ["videos/1/a.ts", "videos/1/hls/b.ts"]
    assert sorted(store.list("")) == sorted(keys)
    store.delete("videos/1/a.ts")
    assert not store.exists("videos/1/a.ts")
    assert store.delete_prefix("videos/1") == 1
    assert sorted(store.list("")) == ["sources/1/s.mp4", "videos/10/c.ts"]


def test_check_passes(store: Storage) -> None:
    store.check()


def test_large_file_round_trip(store: Storage, tmp_path: Path) -> None:
    """12 MiB: above the S3 backend's 5 MiB threshold, so three parts there."""
    source = tmp_path / "big.mp4"
    source.write_bytes(os.urandom(12 * MiB + 123))
    store.put_file("sources/9/big.mp4", source)
    stat = store.stat("sources/9/big.mp4")
    assert stat.size == source.stat().st_size
    assert stat.etag == store.file_etag(source)
    dest = tmp_path / "back.mp4"
    store.download("sources/9/big.mp4", dest)
    assert (
        hashlib.sha256(dest.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    )


def test_s3_put_file_goes_multipart_above_threshold(s3_server: S3Server, tmp_path: Path) -> None:
    store = s3_server.storage(multipart_threshold=5 * MiB, part_size=5 * MiB)
    source = tmp_path / "big.mp4"
    source.write_bytes(os.urandom(11 * MiB))
    store.put_file("sources/9/big.mp4", source)
    assert store.stat("sources/9/big.mp4").etag.endswith('-3"')


@pytest.mark.parametrize("key", ["v/master.m3u8", "v/seg_00001.ts", "v/init.m4s", "v/poster.jpg"])
def test_content_types_are_kept(store: Storage, tmp_path: Path, key: str) -> None:
    store.put_bytes(key, b"data", content_type(key))
    store.put_bytes(key + ".copy.mp4", b"data")  # no type given: by extension
    source = tmp_path / "f"
    source.write_bytes(b"data")
    store.put_file("file/" + key, source)
    assert store.stat(key).content_type == content_type(key)
    assert store.stat(key + ".copy.mp4").content_type == "video/mp4"
    assert store.stat("file/" + key).content_type == content_type(key)


# --------------------------------------------------------------------------- failures


def test_unreachable_s3_is_a_transient_storage_error(tmp_path: Path) -> None:
    store = S3Storage(
        "nowhere",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        access_key="x",
        secret_key="y",
        max_attempts=2,
    )
    source = tmp_path / "f"
    source.write_bytes(b"x")
    calls = [
        store.check,
        lambda: store.put_bytes("a/b", b"x"),
        lambda: store.put_file("a/b", source),
        lambda: store.get_bytes("a/b"),
        lambda: store.exists("a/b"),
        lambda: store.stat("a/b"),
        lambda: store.download("a/b", tmp_path / "d"),
        lambda: list(store.list("a")),
        lambda: store.create_multipart("a/b"),
        lambda: store.list_multipart_uploads(""),
    ]
    for call in calls:
        with pytest.raises(StorageError) as caught:
            call()
        assert type(caught.value) is StorageError and caught.value.transient


def test_unwritable_local_root_fails_check(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "gone")
    (tmp_path / "gone").rmdir()
    with pytest.raises(StorageError):
        store.check()


def test_s3_calls_are_retried(tmp_path: Path) -> None:
    store = S3Storage(
        "nowhere",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        access_key="x",
        secret_key="y",
        max_attempts=3,
    )
    sent: list[str] = []
    store.client.meta.events.register(
        "before-send.s3", lambda request, **_: sent.append(request.url)
    )
    with pytest.raises(StorageError):
        store.get_bytes("a/b")
    assert len(sent) == 3


def test_store_down_then_back(s3_server: S3Server) -> None:
    store = s3_server.storage(max_attempts=1)
    store.put_bytes("a/kept.ts", b"kept")
    with s3_server.stopped(graceful=False):
        with pytest.raises(StorageError) as caught:
            store.check()
        assert caught.value.transient
        with pytest.raises(StorageError):
            store.get_bytes("a/kept.ts")
    assert store.get_bytes("a/kept.ts") == b"kept"


# --------------------------------------------------------------------------- direct delivery


def test_presign_get(store: Storage) -> None:
    store.put_bytes("videos/3/master.m3u8", b"#EXTM3U\n")
    url = store.presign_get("videos/3/master.m3u8", 300)
    if isinstance(store, LocalStorage):
        assert url is None  # served by the app
        return
    with _http(url) as reply:
        assert reply.read() == b"#EXTM3U\n"
        assert reply.headers["Content-Type"] == "application/vnd.apple.mpegurl"
        assert reply.headers.get("Content-Disposition") is None


def test_presign_get_with_download_name(store: Storage) -> None:
    store.put_bytes("exports/5/clip.mp4", b"mp4 bytes")
    url = store.presign_get("exports/5/clip.mp4", 300, download_name='Leçon "1".mp4')
    if isinstance(store, LocalStorage):
        assert url is None
        return
    with _http(url) as reply:
        assert reply.read() == b"mp4 bytes"
        assert reply.headers["Content-Type"] == "video/mp4"
        disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Le_on _1_.mp4"')
    assert "filename*=UTF-8''Le%C3%A7on%20%221%22.mp4" in disposition


def test_presigned_url_is_bound_to_its_key(s3_server: S3Server) -> None:
    store = s3_server.storage()
    store.put_bytes("a/one.ts", b"1")
    store.put_bytes("a/two.ts", b"2")
    url = store.presign_get("a/one.ts", 300)
    with pytest.raises(urllib.error.HTTPError) as caught:
        _http(url.replace("a/one.ts", "a/two.ts"))
    caught.value.close()
    assert caught.value.code == 403


@pytest.mark.parametrize("expires_in", [0, -5, 7 * 24 * 3600 + 1])
def test_presign_expiry_is_bounded(store: Storage, expires_in: int) -> None:
    with pytest.raises(ValueError):
        store.presign_get("a/b.ts", expires_in)
    with pytest.raises(ValueError):
        store.presign_part("a/b.ts", "upload", 1, expires_in)


# --------------------------------------------------------------------------- multipart


def _parts(sizes: list[int]) -> list[bytes]:
    return [os.urandom(size) for size in sizes]


def test_multipart_etag_matches_s3() -> None:
    """The value SeaweedFS gave a 5 MiB "a"-part + "cc" upload."""
    etags = [_md5(b"a" * 5 * MiB), _md5(b"cc")]
    assert multipart_etag(etags) == '"f8cfda8c9776922865b402296fb00216-2"'
    assert multipart_etag([e.strip('"') for e in etags]) == multipart_etag(etags)


def test_multipart_upload(store: Storage) -> None:
    key = "sources/7/lecture.mp4"
    upload_id = store.create_multipart(key, "video/mp4")
    data = _parts([MIN_PART_SIZE, MIN_PART_SIZE + 1, 1000])
    etags = [
        store.upload_part(key, upload_id, number, io.BytesIO(part))
        for number, part in enumerate(data, start=1)
    ]
    assert etags == [_md5(part) for part in data]
    listed = store.list_parts(key, upload_id)
    assert [(p.number, p.etag, p.size) for p in listed] == [
        (n, e, len(d)) for n, (e, d) in enumerate(zip(etags, data, strict=True), start=1)
    ]
    assert not store.exists(key)
    assert list(store.list("")) == []  # staged parts are not objects
    store.complete_multipart(key, upload_id, list(enumerate(etags, start=1)))
    assert store.get_bytes(key) == b"".join(data)
    stat = store.stat(key)
    assert stat.size == sum(map(len, data))
    assert stat.etag == multipart_etag(etags)
    assert stat.content_type == "video/mp4"
    assert store.list_multipart_uploads("") == []
    assert list(store.list("")) == [key]
    with pytest.raises(UploadNotFound):
        store.list_parts(key, upload_id)


def test_completion_retried_after_success_passes(store: Storage) -> None:
    key = "sources/8/a.mp4"
    upload_id = store.create_multipart(key)
    etag = store.upload_part(key, upload_id, 1, io.BytesIO(b"only part"))
    store.complete_multipart(key, upload_id, [(1, etag)])
    store.complete_multipart(key, upload_id, [(1, etag)])
    assert store.get_bytes(key) == b"only part"
    assert store.stat(key).etag == multipart_etag([etag])


def test_resent_part_replaces_the_earlier_one(store: Storage) -> None:
    key = "sources/9/a.mp4"
    upload_id = store.create_multipart(key)
    first, second = _parts([MIN_PART_SIZE, MIN_PART_SIZE])
    store.upload_part(key, upload_id, 1, io.BytesIO(first))
    # SeaweedFS keeps both copies and lists them with one-second timestamps; a second
    # apart, list_parts must report the newer one.
    time.sleep(1.1)
    etag = store.upload_part(key, upload_id, 1, io.BytesIO(second))
    tail = store.upload_part(key, upload_id, 2, io.BytesIO(b"tail"))
    assert [(p.number, p.etag) for p in store.list_parts(key, upload_id)] == [(1, etag), (2, tail)]
    store.complete_multipart(key, upload_id, [(1, etag), (2, tail)])
    assert store.get_bytes(key) == second + b"tail"


def test_bad_completions_are_invalid_uploads(store: Storage) -> None:
    key = "sources/10/a.mp4"
    upload_id = store.create_multipart(key)
    one, small, three = _parts([MIN_PART_SIZE, 100, 50])
    e1 = store.upload_part(key, upload_id, 1, io.BytesIO(one))
    e3 = store.upload_part(key, upload_id, 3, io.BytesIO(three))
    bad = [
        [],  # nothing
        [(1, e1), (2, e3), (3, e3)],  # part 2 never sent
        [(1, e1), (3, _md5(b"something else"))],  # ETag mismatch
        [(3, e3), (1, e1)],  # out of order
        [(1, e1), (1, e1)],  # twice
    ]
    for parts in bad:
        with pytest.raises(InvalidUpload) as caught:
            store.complete_multipart(key, upload_id, parts)
        assert not caught.value.transient
    e2 = store.upload_part(key, upload_id, 2, io.BytesIO(small))
    with pytest.raises(InvalidUpload):  # part 2 is under 5 MiB and not the last
        store.complete_multipart(key, upload_id, [(1, e1), (2, e2), (3, e3)])
    assert not store.exists(key)
    # The upload survives refused completions; leaving out part 3 is allowed.
    store.complete_multipart(key, upload_id, [(1, e1), (2, e2)])
    assert store.get_bytes(key) == one + small


def test_unknown_upload_ids(store: Storage) -> None:
    key = "sources/11/a.mp4"
    real = store.create_multipart(key)
    other_key = "sources/11/b.mp4"
    for upload_id, target in [
        ("0" * 32, key),
        ("../not an id", key),
        (real + "x", key),
        (real, other_key),  # an id belongs to one key
    ]:
        with pytest.raises(UploadNotFound) as caught:
            store.list_parts(target, upload_id)
        assert not caught.value.transient
        with pytest.raises(UploadNotFound):
            store.upload_part(target, upload_id, 1, io.BytesIO(b"x"))
        with pytest.raises(UploadNotFound):
            store.complete_multipart(target, upload_id, [(1, _md5(b"x"))])
    assert store.list_parts(key, real) == []


def test_part_numbers_are_bounded(store: Storage) -> None:
    upload_id = store.create_multipart("a/b.mp4")
    for number in (0, 10_001):
        with pytest.raises(ValueError):
            store.upload_part("a/b.mp4", upload_id, number, io.BytesIO(b"x"))
        with pytest.raises(ValueError):
            store.presign_part("a/b.mp4", upload_id, number, 60)


def test_abort(store: Storage) -> None:
    key = "sources/12/a.mp4"
    upload_id = store.create_multipart(key)
    store.upload_part(key, upload_id, 1, io.BytesIO(b"x" * 1000))
    store.abort_multipart(key, upload_id)
    store.abort_multipart(key, upload_id)  # idempotent
    store.abort_multipart(key, "0" * 32)
    with pytest.raises(UploadNotFound):
        store.list_parts(key, upload_id)
    with pytest.raises(UploadNotFound):
        store.upload_part(key, upload_id, 1, io.BytesIO(b"x"))
    assert not store.exists(key)
    assert store.list_multipart_uploads("") == []


def test_list_multipart_uploads(store: Storage) -> None:
    before = datetime.now(UTC) - timedelta(minutes=5)
    first = store.create_multipart("sources/13/a.mp4")
    second = store.create_multipart("sources/13/b.mp4")
    other = store.create_multipart("sources/130/c.mp4")
    listed = store.list_multipart_uploads("sources/13")
    assert sorted((u.key, u.upload_id) for u in listed) == [
        ("sources/13/a.mp4", first),
        ("sources/13/b.mp4", second),
    ]
    for upload in listed:
        assert upload.initiated.utcoffset() == timedelta(0)
        assert before < upload.initiated < datetime.now(UTC) + timedelta(minutes=5)
    assert len(store.list_multipart_uploads("")) == 3
    store.abort_multipart("sources/130/c.mp4", other)
    assert len(store.list_multipart_uploads("")) == 2


def test_presigned_part_upload(store: Storage) -> None:
    key = "sources/14/a.mp4"
    upload_id = store.create_multipart(key)
    data = _parts([MIN_PART_SIZE, 10])
    etags = []
    for number, part in enumerate(data, start=1):
        url = store.presign_part(key, upload_id, number, 300)
        if url is None:  # local disk: the app receives the part and stores it
            etags.append(store.upload_part(key, upload_id, number, io.BytesIO(part)))
        else:
            with _http(url, data=part, method="PUT") as reply:
                etags.append(reply.headers["ETag"])
    assert etags == [_md5(part) for part in data]
    store.complete_multipart(key, upload_id, list(enumerate(etags, start=1)))
    assert store.get_bytes(key) == b"".join(data)


def test_put_after_multipart_has_a_plain_etag(store: Storage) -> None:
    key = "sources/15/a.mp4"
    upload_id = store.create_multipart(key)
    etag = store.upload_part(key, upload_id, 1, io.BytesIO(b"joined"))
    store.complete_multipart(key, upload_id, [(1, etag)])
    assert store.stat(key).etag == multipart_etag([etag])
    store.put_bytes(key, b"replaced")
    assert store.stat(key).etag == _md5(b"replaced")


def test_local_part_etag_survives_a_torn_rename(tmp_path: Path) -> None:
    """A crash between the part's rename and its ETag's leaves a stale ETag file."""
    store = LocalStorage(tmp_path)
    upload_id = store.create_multipart("a/b.mp4")
    store.upload_part("a/b.mp4", upload_id, 1, io.BytesIO(b"old"))
    staging = tmp_path / ".uploads" / upload_id
    stale = (staging / "00001.etag").read_text()
    store.upload_part("a/b.mp4", upload_id, 1, io.BytesIO(b"new"))
    (staging / "00001.etag").write_text(stale)
    assert store.list_parts("a/b.mp4", upload_id)[0].etag == _md5(b"new")
