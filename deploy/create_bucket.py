"""Create the bucket named by S3_BUCKET if it does not exist yet, then apply the
bucket's lifecycle rules (idempotent; safe to run on every deploy).

Run once before the web app and the worker start (docker-compose.yml does this in the
one-shot ``createbucket`` service). Learnstream itself never creates buckets: its
health check only HEADs the configured bucket.

Lifecycle rules are read from ``deploy/s3-lifecycle.json`` (S3's
``LifecycleConfiguration`` JSON, as ``aws s3api put-bucket-lifecycle-configuration``
takes it) when that file exists, and replace the bucket's rules. A store without
lifecycle support only gets a warning: the app's hourly ``uploads.clean_abandoned``
task aborts abandoned uploads either way.

Usage: python deploy/create_bucket.py [LIFECYCLE_JSON]   (reads the app's S3_* variables)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config  # noqa: E402  (the app's own settings loader)

WAIT_SECONDS = 60
LIFECYCLE_FILE = Path(__file__).resolve().parent / "s3-lifecycle.json"
MISSING = ("404", "NoSuchBucket", "NotFound")
ALREADY_THERE = ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")


def s3_client(settings: dict):
    """A boto3 client configured exactly like the app's S3 storage."""
    return boto3.client(
        "s3",
        endpoint_url=settings["S3_ENDPOINT_URL"],
        region_name=settings["S3_REGION"],
        aws_access_key_id=settings["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["S3_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path" if settings["S3_PATH_STYLE"] else "auto"}),
    )


def bucket_exists(client, bucket: str) -> bool:
    """HEAD the bucket, waiting up to WAIT_SECONDS for the endpoint to come up."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            client.head_bucket(Bucket=bucket)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return False
            raise
        except BotoCoreError:  # endpoint not up yet
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def create_bucket(client, bucket: str, region: str) -> None:
    """Create ``bucket``; losing a creation race to another deploy is fine."""
    kwargs = {}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(Bucket=bucket, **kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ALREADY_THERE:
            raise


def apply_lifecycle(client, bucket: str, rules_file: Path) -> bool:
    """Put the rules of ``rules_file`` on the bucket; False if the store refuses them."""
    rules = json.loads(rules_file.read_text())
    try:
        client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules)
    except ClientError as exc:
        print(f"warning: lifecycle rules not applied to {bucket}: {exc}", file=sys.stderr)
        return False
    return True


def main(argv: list[str]) -> int:
    settings = config.load_settings()
    bucket = settings["S3_BUCKET"]
    if not bucket:
        print("S3_BUCKET is not set; nothing to do (local-disk storage).", file=sys.stderr)
        return 0
    rules_file = Path(argv[0]) if argv else LIFECYCLE_FILE
    client = s3_client(settings)
    try:
        if bucket_exists(client, bucket):
            print(f"bucket {bucket} exists", file=sys.stderr)
        else:
            create_bucket(client, bucket, settings["S3_REGION"])
            print(f"bucket {bucket} created", file=sys.stderr)
    except (BotoCoreError, ClientError) as exc:
        print(f"bucket {bucket}: {exc}", file=sys.stderr)
        return 1
    if rules_file.exists() and apply_lifecycle(client, bucket, rules_file):
        print(f"lifecycle rules from {rules_file.name} applied to {bucket}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
