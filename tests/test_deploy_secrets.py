"""Deployment secrets: nothing secret has a default, the generator makes every one, the
object store and the databases stay off public interfaces, and production refuses to
start with a weak key or to seed demo accounts (docs/security.md, "Secrets and sessions")."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import secrets
import signal
import subprocess
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask
from sqlalchemy import func, select

import config
from deploy import make_env
from tests.support.paths import ROOT
from tests.support.s3server import S3Server, weed_binary
from tests.support.secret_race import race_for_dev_secret
from tests.support.waiting import wait_until
from webapp import create_app
from webapp.extensions import db
from webapp.models import User

COMPOSE = ROOT / "docker-compose.yml"
START_SCRIPT = ROOT / "deploy" / "seaweedfs-start.sh"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|ACCESS_KEY|TOKEN$")
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?+])?([^}]*)\}")
# Services that must never listen on every interface of the host.
PRIVATE_SERVICES = ("postgres", "redis", "seaweedfs", "mailpit")
STRONG_KEY = secrets.token_hex(32)


# --------------------------------------------------------------------------- compose file


def _compose_text() -> str:
    return COMPOSE.read_text()


def _services(text: str) -> dict[str, list[str]]:
    """``service -> its lines`` (a small reader for this file's layout: two-space indents,
    services at one level under ``services:``); PyYAML is not a dependency."""
    services: dict[str, list[str]] = {}
    current: str | None = None
    inside = False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            inside = line.startswith("services:")
            current = None
            continue
        if inside and re.fullmatch(r"  [a-z0-9_-]+:\s*", line):
            current = line.strip()[:-1]
            services[current] = []
        elif inside and current:
            services[current].append(line)
    return services


def _ports(lines: list[str]) -> list[str]:
    """The entries of a service's ``ports:`` list."""
    ports, inside, indent = [], False, 0
    for line in lines:
        depth = len(line) - len(line.lstrip())
        if line.strip() == "ports:":
            inside, indent = True, depth
        elif inside and depth > indent and line.strip().startswith("- "):
            ports.append(line.strip()[2:].split(" #")[0].strip().strip("\"'"))
        elif inside and depth <= indent:
            inside = False
    return ports


def _with_defaults(value: str) -> str:
    """``${X:-d}`` -> ``d``; a variable without a default -> ``<X>``."""
    return VARIABLE.sub(lambda m: m.group(3) if m.group(2) == ":-" else f"<{m.group(1)}>", value)


def _required(text: str) -> set[str]:
    return {m.group(1) for m in VARIABLE.finditer(text) if m.group(2) == ":?"}


def test_the_reader_sees_every_service_and_its_ports() -> None:
    services = _services(_compose_text())
    assert {"postgres", "redis", "seaweedfs", "web", "worker", "beat"} <= set(services)
    assert _ports(services["web"]) == ["${WEB_PORT:-8000}:8000"]


def test_no_secret_variable_has_a_default() -> None:
    text = _compose_text()
    for match in VARIABLE.finditer(text):
        name, operator = match.group(1), match.group(2)
        if SECRET_NAME.search(name):
            assert operator == ":?", f"{match.group(0)} must be required (${{{name}:?…}})"


def test_no_secret_is_written_into_the_file() -> None:
    for line in _compose_text().splitlines():
        setting = re.match(r"\s+([A-Z0-9_]+):\s*(\S.*)$", line)
        if setting and SECRET_NAME.search(setting.group(1)):
            assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", setting.group(2)), line
    # The database URL carries the password: only as a required variable.
    url = re.search(r"DATABASE_URL:\s*(\S+)", _compose_text()).group(1)
    assert "${POSTGRES_PASSWORD:?" in url


@pytest.mark.parametrize("service", PRIVATE_SERVICES)
def test_stores_are_not_published_on_every_interface(service: str) -> None:
    for port in _ports(_services(_compose_text())[service]):
        parts = _with_defaults(port).split(":")
        assert len(parts) == 3 and parts[0] == "127.0.0.1", f"{service} publishes {port}"


def test_the_shipped_s3_identity_file_is_gone() -> None:
    assert not (ROOT / "deploy" / "seaweedfs-s3.json").exists()
    assert "learnstream-change-me" not in _compose_text()


# --------------------------------------------------------------------------- generator


def _parse_env(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return dict(pairs)


def test_the_generator_sets_every_variable_compose_requires() -> None:
    values = _parse_env(make_env.render())
    required = _required(_compose_text())
    assert required >= {"SECRET_KEY", "POSTGRES_PASSWORD", "S3_SECRET_ACCESS_KEY"}
    assert required <= set(values)
    for name in required:
        assert re.fullmatch(r"[A-Za-z0-9]{16,}", values[name]), name
    assert config.weak_secret_reason(values["SECRET_KEY"]) is None
    assert values != _parse_env(make_env.render())  # fresh values every time


def test_the_generator_writes_a_private_file_and_never_overwrites(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    assert make_env.main(["--env-file", str(env_file)]) == 0
    first = env_file.read_text()
    assert env_file.stat().st_mode & 0o077 == 0
    assert make_env.main(["--env-file", str(env_file)]) == 1
    assert env_file.read_text() == first


def test_the_env_file_stays_out_of_git_and_the_image() -> None:
    for ignore in (".gitignore", ".dockerignore"):
        assert ".env" in (ROOT / ignore).read_text().splitlines(), ignore


def _start_seaweed(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run deploy/seaweedfs-start.sh with ``echo`` standing in for the image's entrypoint."""
    target = tmp_path / "s3.json"
    return subprocess.run(
        ["sh", str(START_SCRIPT), "server", "-s3"],
        env={
            "PATH": os.environ["PATH"],
            "SEAWEEDFS_S3_CONFIG": str(target),
            "SEAWEEDFS_ENTRYPOINT": "echo",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_object_store_identity_is_rendered_from_the_same_keys(tmp_path: Path) -> None:
    values = _parse_env(make_env.render())
    keys = {k: values[k] for k in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")}
    done = _start_seaweed(tmp_path, **keys)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["server", "-s3", f"-s3.config={tmp_path / 's3.json'}"]
    identity = json.loads((tmp_path / "s3.json").read_text())["identities"][0]
    assert identity["credentials"] == [
        {"accessKey": keys["S3_ACCESS_KEY_ID"], "secretKey": keys["S3_SECRET_ACCESS_KEY"]}
    ]
    assert (tmp_path / "s3.json").stat().st_mode & 0o077 == 0


def _client(endpoint: str, access_key: str, secret_key: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}),
    )


def _works(client) -> bool:
    try:
        client.create_bucket(Bucket="media")
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    except BotoCoreError:  # not listening yet
        return False
    client.put_object(Bucket="media", Key="probe", Body=b"ok")
    return client.get_object(Bucket="media", Key="probe")["Body"].read() == b"ok"


def test_a_real_seaweedfs_started_by_the_script_takes_only_the_generated_keys(
    tmp_path: Path,
) -> None:
    values = _parse_env(make_env.render())
    keys = (values["S3_ACCESS_KEY_ID"], values["S3_SECRET_ACCESS_KEY"])
    server = S3Server(tmp_path)  # only for its loopback `weed mini` command line
    argv = [a for a in server.argv()[1:] if not a.startswith("-s3.config=")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
    env.update(
        S3_ACCESS_KEY_ID=keys[0],
        S3_SECRET_ACCESS_KEY=keys[1],
        SEAWEEDFS_ENTRYPOINT=weed_binary(),
        SEAWEEDFS_S3_CONFIG=str(tmp_path / "rendered.json"),
    )
    with open(tmp_path / "weed.log", "wb") as log:
        weed = subprocess.Popen(
            ["sh", str(START_SCRIPT), *argv],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        ours = _client(server.endpoint_url, *keys)
        wait_until(lambda: _works(ours), timeout=60, message=lambda: server.log_tail())
        for access_key, secret_key in [
            ("learnstream", "learnstream-change-me"),  # the keys that used to ship
            (keys[0], "not-the-generated-secret"),
        ]:
            with pytest.raises(ClientError) as refused:
                _client(server.endpoint_url, access_key, secret_key).list_objects_v2(Bucket="media")
            assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    finally:
        os.killpg(weed.pid, signal.SIGTERM)
        weed.wait(timeout=30)


@pytest.mark.parametrize("secret", ["", 'a"b', "has space"])
def test_the_object_store_refuses_a_missing_or_unsafe_key(tmp_path: Path, secret: str) -> None:
    done = _start_seaweed(tmp_path, S3_ACCESS_KEY_ID="LSKEY", S3_SECRET_ACCESS_KEY=secret)
    assert done.returncode == 1 and "S3_SECRET_ACCESS_KEY" in done.stderr
    assert not (tmp_path / "s3.json").exists()


# --------------------------------------------------------------------------- production mode


def _production(tmp_path: Path, **env: str) -> dict:
    return config.load_settings(
        {"LEARNSTREAM_INSTANCE": str(tmp_path), "LEARNSTREAM_ENV": "production", **env}
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "not set"),
        ("test-secret-key", "fewer than 32"),
        ("x" * 31, "fewer than 32"),
        ("a" * 64, "repeats"),
        ("please-change-me-to-something-long-and-random", "placeholder"),
        ("learnstream-example-secret-key-0123456789", "placeholder"),
    ],
)
def test_production_refuses_a_missing_or_weak_key(
    tmp_path: Path, key: str | None, reason: str
) -> None:
    settings = _production(tmp_path, **({"SECRET_KEY": key} if key else {}))
    with pytest.raises(config.UnsafeSettings, match=reason) as refused:
        config.refuse_unsafe_settings(settings)
    assert "LEARNSTREAM_ENV=production" in str(refused.value)
    assert not (tmp_path / "secret_key").exists()  # no per-machine fallback key either


def test_production_refuses_the_shipped_store_and_database_passwords(tmp_path: Path) -> None:
    url = "postgresql://learnstream:learnstream@postgres:5432/learnstream"
    for env in ({"S3_SECRET_ACCESS_KEY": "learnstream-change-me"}, {"DATABASE_URL": url}):
        settings = _production(tmp_path, SECRET_KEY=STRONG_KEY, **env)
        with pytest.raises(config.UnsafeSettings, match="published default"):
            config.refuse_unsafe_settings(settings)


def test_production_starts_with_a_strong_key(tmp_path: Path) -> None:
    config.refuse_unsafe_settings(_production(tmp_path, SECRET_KEY=STRONG_KEY))


def test_development_takes_any_key(tmp_path: Path) -> None:
    env = {"LEARNSTREAM_INSTANCE": str(tmp_path), "SECRET_KEY": "x"}
    config.refuse_unsafe_settings(config.load_settings(env))
    assert config.load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path)})["SECRET_KEY"]


def test_an_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LEARNSTREAM_ENV"):
        config.load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path), "LEARNSTREAM_ENV": "prod"})


def test_the_app_factory_refuses_to_start_with_a_weak_key() -> None:
    with pytest.raises(config.UnsafeSettings, match="SECRET_KEY"):
        create_app({"LEARNSTREAM_ENV": "production", "SECRET_KEY": "test-secret-key"})
    # The S3 run's store key is the suite's own, published in tests/: production takes
    # only a generated one.
    strong = {"SECRET_KEY": STRONG_KEY, "S3_SECRET_ACCESS_KEY": STRONG_KEY[:40]}
    create_app({"LEARNSTREAM_ENV": "production", **strong, "TESTING": True})


# --------------------------------------------------------------------------- flask seed


def test_seed_refuses_demo_accounts_in_production(app: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LEARNSTREAM_ENV", "production")
    with app.app_context():  # `flask` pushes one for every command
        result = app.test_cli_runner().invoke(args=["seed", "--short"])
    assert result.exit_code == 1
    assert "production install" in result.output and "--demo" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


# --------------------------------------------------------------------------- dev secret race

PROCESSES = 4
ROUNDS = 2000  # the old code handed out an empty key in about 2% of rounds here


def test_processes_racing_for_the_dev_secret_all_get_the_same_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    racers = [
        context.Process(target=race_for_dev_secret, args=(str(tmp_path), ROUNDS, results))
        for _ in range(PROCESSES)
    ]
    for racer in racers:
        racer.start()
    keys = [results.get(timeout=240) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
        assert racer.exitcode == 0
    for n in range(ROUNDS):
        seen = {got[n] for got in keys}
        assert len(seen) == 1 and len(next(iter(seen))) == 64, (n, seen)
        assert (tmp_path / str(n) / "secret_key").read_text() == next(iter(seen))
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "secret_key"]
    assert leftovers == []  # every temp file is gone
