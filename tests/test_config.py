"""Settings: embedded defaults, and the variables that switch to the scaled engines."""

from pathlib import Path

from config import load_settings


def test_embedded_defaults_live_under_instance(tmp_path: Path) -> None:
    cfg = load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path), "SECRET_KEY": "x"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'learnstream.sqlite'}"
    assert cfg["STORAGE_BACKEND"] == "local"
    assert cfg["MEDIA_ROOT"] == str(tmp_path / "media")
    assert cfg["CELERY"]["broker_url"] == f"sqla+sqlite:///{tmp_path / 'celery.sqlite'}"


def test_environment_switches_to_postgres_redis_and_s3(tmp_path: Path) -> None:
    cfg = load_settings(
        {
            "LEARNSTREAM_INSTANCE": str(tmp_path),
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "S3_BUCKET": "media",
            "S3_ENDPOINT_URL": "http://127.0.0.1:8333",
        }
    )
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert cfg["CELERY"]["broker_url"] == "redis://127.0.0.1:6379/0"
    assert cfg["STORAGE_BACKEND"] == "s3"
    assert cfg["S3_ENDPOINT_URL"] == "http://127.0.0.1:8333"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path)})["SECRET_KEY"]
    second = load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path)})["SECRET_KEY"]
    assert len(first) == 64 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_redis_broker_gets_a_visibility_timeout_longer_than_a_transcode(tmp_path: Path) -> None:
    env = {"LEARNSTREAM_INSTANCE": str(tmp_path), "SECRET_KEY": "x"}
    redis = load_settings({**env, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert redis["CELERY"]["broker_transport_options"]["visibility_timeout"] >= 4 * 3600
    # A frozen Redis must not hold a request: publishing gives up and the sweeper resends.
    assert redis["CELERY"]["broker_transport_options"]["socket_timeout"] <= 10
    assert load_settings(env)["CELERY"]["broker_transport_options"] == {}
