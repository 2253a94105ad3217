"""Generate the secrets docker-compose.yml requires, once, into an env file.

    python3 deploy/make_env.py --env-file .env     # refuses to overwrite an existing file
    python3 deploy/make_env.py                     # print them instead (for a secret store)

Standard library only, so it runs on the Docker host before anything is built
(`docker compose` itself refuses to start while a required variable is missing). The
file is created with mode 0600. The SeaweedFS container renders its S3 identity from
the same ``S3_ACCESS_KEY_ID`` / ``S3_SECRET_ACCESS_KEY`` (deploy/seaweedfs-start.sh),
so the app and the store always agree.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Callable
from datetime import datetime, timezone

# name -> generator. Letters and digits only: the values go into a URL (the database
# password), a JSON file (the S3 identity) and shell-style env files without quoting.
SECRETS: dict[str, Callable[[], str]] = {
    "SECRET_KEY": lambda: secrets.token_hex(32),
    "POSTGRES_PASSWORD": lambda: secrets.token_hex(24),
    "S3_ACCESS_KEY_ID": lambda: "LS" + secrets.token_hex(9).upper(),
    "S3_SECRET_ACCESS_KEY": lambda: secrets.token_hex(24),
    # What Prometheus presents as a bearer token to read /metrics over the network.
    "METRICS_TOKEN": lambda: secrets.token_hex(32),
}

# Settings people usually change next, as comments (not secrets, so compose has defaults).
HINTS = """\
# Where browsers reach the site and the object store (see docs/deploy.md):
# PUBLIC_BASE_URL=https://learn.example.org
# S3_PUBLIC_ENDPOINT_URL=https://media.example.org
# SESSION_COOKIE_SECURE=true
"""


def render() -> str:
    """The env file's text: a fresh value for every secret, then the hints."""
    # timezone.utc, not datetime.UTC: the Docker host may have a Python older than 3.11.
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017
    lines = [
        f"# Learnstream secrets, generated {stamp} by deploy/make_env.py.",
        "# Keep this file private (mode 0600) and back it up: the database and the",
        "# object store only accept these values.",
    ]
    lines += [f"{name}={make()}" for name, make in SECRETS.items()]
    return "\n".join(lines) + "\n" + HINTS


def write_new(path: str, text: str) -> None:
    """Create ``path`` with ``text``, readable by its owner only; never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def main(argv: list[str] | None = None) -> int:
    """Entry point: write the env file (or print it); 1 if the file already exists."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", help="file to create (refused if it exists)")
    args = parser.parse_args(argv)
    text = render()
    if not args.env_file:
        sys.stdout.write(text)
        return 0
    try:
        write_new(args.env_file, text)
    except FileExistsError:
        print(
            f"{args.env_file} exists: not overwritten (its secrets are in use by the "
            "database and the object store). Move it away first to start over.",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {args.env_file} ({', '.join(SECRETS)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
