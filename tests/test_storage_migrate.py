"""``flask storage migrate --to s3``: local media copied to a real S3 (SeaweedFS), resumably."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.s3server import S3Server
from webapp.storage import MIN_PART_SIZE, LocalStorage, S3Storage, StorageError
from webapp.storage.migrate import migrate

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024**2


@pytest.fixture
def media(tmp_path: Path) -> LocalStorage:
    """A media root like a real one: a big source, a small ladder, a joined upload."""
    store = LocalStorage(tmp_path / "media")
    store.put_bytes("sources/1/original.mp4", os.urandom(11 * MiB))
    store.put_bytes("videos/1/hls/1/master.m3u8", b"#EXTM3U\n")
    for n in range(1, 6):
        store.put_bytes(f"videos/1/hls/1/360p/seg_{n:05d}.ts", os.urandom(50_000 + n))
    store.put_bytes("videos/1/hls/1/poster.jpg", os.urandom(4000))
    joined = store.create_multipart("sources/2/original.mp4")
    parts = [os.urandom(MIN_PART_SIZE), b"tail"]
    etags = [
        store.upload_part("sources/2/original.mp4", joined, n, io.BytesIO(p))
        for n, p in enumerate(parts, start=1)
    ]
    store.complete_multipart("sources/2/original.mp4", joined, list(enumerate(etags, start=1)))
    store.create_multipart("sources/3/original.mp4")  # still uploading: not an object
    return store


@pytest.fixture
def target(s3_server: S3Server) -> S3Storage:
    """An empty bucket; multipart from 5 MiB, so the big sources get multipart ETags."""
    return s3_server.storage(multipart_threshold=5 * MiB, part_size=5 * MiB, max_attempts=2)


def _assert_same(media: LocalStorage, target: S3Storage) -> None:
    keys = sorted(media.list(""))
    assert sorted(target.list("")) == keys
    for key in keys:
        assert target.get_bytes(key) == media.get_bytes(key), key


def test_copies_everything_then_skips_everything(media: LocalStorage, target: S3Storage) -> None:
    keys = sorted(media.list(""))
    assert len(keys) == 9 and "sources/3/original.mp4" not in keys
    first = migrate(media, target)
    assert first.ok and first.copied == keys and first.skipped == []
    _assert_same(media, target)
    assert target.stat("sources/1/original.mp4").etag.endswith('-3"')
    assert target.stat("videos/1/hls/1/master.m3u8").content_type == "application/vnd.apple.mpegurl"
    second = migrate(media, target)
    assert second.ok and second.copied == [] and second.skipped == keys


def test_dry_run_writes_nothing(media: LocalStorage, target: S3Storage) -> None:
    target.put_file("videos/1/hls/1/poster.jpg", media.path("videos/1/hls/1/poster.jpg"))
    report = migrate(media, target, dry_run=True)
    assert report.ok and report.copied == []
    assert report.skipped == ["videos/1/hls/1/poster.jpg"]
    assert len(report.planned) == 8
    assert list(target.list("")) == ["videos/1/hls/1/poster.jpg"]


def test_resumes_and_replaces_damaged_copies(media: LocalStorage, target: S3Storage) -> None:
    """What an interrupted run leaves: some good copies, one damaged, one cut short."""
    keys = sorted(media.list(""))
    done = keys[:5]
    for key in done:
        target.put_file(key, media.path(key))
    damaged = "sources/1/original.mp4"  # same size, other bytes
    target.put_bytes(damaged, os.urandom(media.size(damaged)))
    short = "videos/1/hls/1/360p/seg_00002.ts"
    target.put_bytes(short, media.get_bytes(short)[:1000])
    report = migrate(media, target)
    assert report.ok
    assert sorted(report.copied) == sorted({damaged, short, *keys[5:]})
    assert sorted(report.skipped) == sorted(set(done) - {damaged, short})
    _assert_same(media, target)


def test_store_outage_stops_the_run_and_a_rerun_finishes(
    media: LocalStorage, s3_server: S3Server
) -> None:
    target = s3_server.storage(max_attempts=1)
    keys = sorted(media.list(""))

    def crash_after_two(key: str, outcome: str) -> None:
        if key == keys[1]:
            s3_server.stop(graceful=False)

    try:
        report = migrate(media, target, on_object=crash_after_two)
    finally:
        s3_server.start()
    assert not report.ok
    assert report.copied == keys[:2]
    assert list(report.failed) == [keys[2]]
    assert report.stopped and keys[2] in report.stopped
    rerun = migrate(media, target)
    assert rerun.ok and rerun.skipped == keys[:2] and rerun.copied == keys[2:]
    _assert_same(media, target)


def test_unreadable_object_fails_alone(media: LocalStorage, target: S3Storage) -> None:
    (media.root / "videos/1/hls/1/dangling.ts").symlink_to(media.root / "nowhere")
    report = migrate(media, target)
    assert not report.ok and report.stopped is None
    assert list(report.failed) == ["videos/1/hls/1/dangling.ts"]
    assert len(report.copied) == 9


def test_unreachable_target_copies_nothing(media: LocalStorage) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = S3Storage("nowhere", endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1)
    with pytest.raises(StorageError):
        migrate(media, target)


# --------------------------------------------------------------------------- the command


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.run(
        [flask, "--app", "webapp", "storage", "migrate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def cli_env(media: LocalStorage, s3_server: S3Server, tmp_path: Path) -> dict[str, str]:
    """The environment of an operator about to switch: local media, S3_* for the target."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
    env.update(LEARNSTREAM_INSTANCE=str(tmp_path / "instance"), MEDIA_ROOT=str(media.root))
    env.update(
        {k: str(v).lower() if isinstance(v, bool) else v for k, v in s3_server.settings().items()}
    )
    return env


def test_command_dry_run_copy_and_rerun(cli_env: dict[str, str], s3_server: S3Server) -> None:
    bucket = cli_env["S3_BUCKET"]
    dry = _flask(cli_env, "--to", "s3", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would copy 9, skipped 0 (already there), failed 0" in dry.stdout
    assert list(s3_server.storage(bucket).list("")) == []

    real = _flask(cli_env, "--to", "s3")
    assert real.returncode == 0, real.stderr
    assert "copied 9, skipped 0 (already there), failed 0" in real.stdout
    assert f"  S3_BUCKET={bucket}\n" in real.stdout
    assert f"  S3_ENDPOINT_URL={s3_server.endpoint_url}\n" in real.stdout
    assert s3_server["S3_SECRET_ACCESS_KEY"] not in real.stdout
    assert len(list(s3_server.storage(bucket).list(""))) == 9

    again = _flask(cli_env, "--to", "s3", "-v")
    assert again.returncode == 0, again.stderr
    assert "copied 0, skipped 9 (already there), failed 0" in again.stdout
    assert "skipped videos/1/hls/1/master.m3u8" in again.stdout


def test_command_exits_non_zero_when_an_object_fails(
    cli_env: dict[str, str], media: LocalStorage
) -> None:
    (media.root / "sources/9").mkdir()
    (media.root / "sources/9/dangling.mp4").symlink_to(media.root / "nowhere")
    result = _flask(cli_env, "--to", "s3")
    assert result.returncode == 1
    assert "FAILED sources/9/dangling.mp4" in result.stderr
    assert "copied 9, skipped 0 (already there), failed 1" in result.stdout
    assert "S3_BUCKET=" not in result.stdout  # no switch-over advice


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"S3_BUCKET": ""}, "set S3_BUCKET"),
        ({"S3_BUCKET": "no-such-bucket-here"}, "unreachable"),
        ({"MEDIA_ROOT": "/nonexistent/media"}, "not a directory"),
    ],
)
def test_command_refuses_to_start(cli_env: dict[str, str], change: dict, message: str) -> None:
    result = _flask({**cli_env, **change}, "--to", "s3")
    assert result.returncode == 1
    assert message in result.stderr
