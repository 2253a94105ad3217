"""A second web process for throttling tests: its own app, engine and throttle storage.

Run as ``python -m tests.support.signin_process ADDRESS EMAIL...``: it builds the app
from the environment (the test run's instance and database), says ``ready``, waits for a
line on stdin, then asks ``POST /api/v1/tokens`` once per EMAIL with a wrong password
from ADDRESS and prints the status codes as one JSON list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.paths import ROOT


def main(address: str, emails: list[str]) -> None:
    """Build the app, wait for the go, sign in wrongly once per e-mail address."""
    from webapp import create_app  # noqa: PLC0415 (the app is built in this process only)

    client = create_app({"TESTING": True}).test_client()
    print("ready", flush=True)
    sys.stdin.readline()
    statuses = [
        client.post(
            "/api/v1/tokens",
            json={"email": email, "password": "wrong-password"},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for email in emails
    ]
    print(json.dumps(statuses), flush=True)


class SignInProcess:
    """One such process, started and ready (its app built) when the constructor returns."""

    def __init__(self, address: str, emails: list[str], env: dict[str, str]) -> None:
        argv = [sys.executable, "-m", "tests.support.signin_process", address, *emails]
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "ready"

    def go(self) -> None:
        """Start the sign-ins."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def statuses(self) -> list[int]:
        """The status codes, once every sign-in is done; the process then ends."""
        statuses = json.loads(self._line())
        self.proc.wait(timeout=60)
        return statuses

    def close(self) -> None:
        """End the process if it is still running (a failed test), close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the sign-in process ended early (exit {self.proc.poll()})"
        return line.strip()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
