"""Create the bucket named by S3_BUCKET if it does not exist yet (idempotent).

Run once before the web app and the worker start (docker-compose.yml does this in the
one-shot ``createbucket`` service). Learnstream itself never creates buckets: its
health check only HEADs the configured bucket.

Usage: python deploy/create_bucket.py   (reads the same S3_* variables as the app)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config  # noqa: E402  (the app's own settings loader)

WAIT_SECONDS = 60


def main() -> int:
    settings = config.load_settings()
    bucket = settings["S3_BUCKET"]
    if not bucket:
        print("S3_BUCKET is not set; nothing to do (local-disk storage).", file=sys.stderr)
        return 0
    client = boto3.client(
        "s3",
        endpoint_url=settings["S3_ENDPOINT_URL"],
        region_name=settings["S3_REGION"],
        aws_access_key_id=settings["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["S3_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path" if settings["S3_PATH_STYLE"] else "auto"}),
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            client.head_bucket(Bucket=bucket)
            print(f"bucket {bucket} exists", file=sys.stderr)
            return 0
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in ("404", "NoSuchBucket", "NotFound"):
                print(f"bucket {bucket}: {exc}", file=sys.stderr)
                return 1
        except BotoCoreError as exc:  # endpoint not up yet
            if time.monotonic() > deadline:
                print(f"S3 endpoint unreachable: {exc}", file=sys.stderr)
                return 1
            time.sleep(2)
            continue
        kwargs = {}
        if settings["S3_REGION"] != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings["S3_REGION"]}
        try:
            client.create_bucket(Bucket=bucket, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                print(f"could not create bucket {bucket}: {exc}", file=sys.stderr)
                return 1
        print(f"bucket {bucket} created", file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
