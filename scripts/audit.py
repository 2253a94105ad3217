"""Known vulnerabilities in the pinned dependencies fail the build (``make audit``, part of
``make lint``): pip-audit over requirements-dev.txt (every runtime and dev pin), and
npm audit over package-lock.json.

A vulnerability found fails. A vulnerability database that cannot be reached (a network
that reaches the package registries' downloads but not their advisory APIs) is reported
as a warning and does not fail, unless ``AUDIT_STRICT=1``: a check that cannot run
should not block every build, and it must not pass silently either.

To ignore an advisory, add it to ``IGNORED`` with its reason (why it does not apply to
us, or until when); docs/security.md ("Dependencies") lists the current ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM_LEVEL = "moderate"  # npm advisories at or above this severity fail
NPM_LEVELS = ("low", "moderate", "high", "critical")
# Advisory id → why it is ignored. Empty: nothing is ignored today.
IGNORED: dict[str, str] = {}


def _warn(message: str) -> None:
    print(f"audit: WARNING: {message}", file=sys.stderr)


def python_packages() -> tuple[int, bool]:
    """pip-audit: (vulnerabilities found, whether the database answered)."""
    argv = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--format=json",
        "--progress-spinner=off",
        "--disable-pip",
        "--require-hashes",
        "-r",
        str(ROOT / "requirements-dev.txt"),
    ]
    for advisory in IGNORED:
        argv += ["--ignore-vuln", advisory]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stderr, file=sys.stderr)
        return 0, False
    deps = report.get("dependencies", [])
    found = 0
    for dep in deps:
        for vuln in dep.get("vulns", []):
            found += 1
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    skipped = [d["name"] for d in deps if "skip_reason" in d]
    if skipped and len(skipped) < len(deps):
        _warn(f"pip-audit could not check {', '.join(skipped)}")
    return found, bool(deps) and len(skipped) < len(deps)


def npm_packages() -> tuple[int, bool]:
    """npm audit: (advisories at or above NPM_LEVEL, whether the database answered)."""
    done = subprocess.run(
        ["npm", "audit", "--json", f"--audit-level={NPM_LEVEL}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    try:
        report = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    counts = report.get("metadata", {}).get("vulnerabilities")
    if "vulnerabilities" not in report or counts is None:
        print(report.get("message") or done.stderr.strip(), file=sys.stderr)
        return 0, False
    serious = NPM_LEVELS[NPM_LEVELS.index(NPM_LEVEL) :]
    for name, vuln in report["vulnerabilities"].items():
        if vuln.get("severity") in serious:
            print(f"audit: npm {name}: {vuln['severity']} ({vuln.get('range', '')})")
    return sum(counts.get(level, 0) for level in serious), True


def main() -> int:
    """Run both audits; non-zero when a vulnerability is known (or, strict, unknowable)."""
    strict = os.environ.get("AUDIT_STRICT") == "1"
    failed = False
    for name, audit in (("pip-audit", python_packages), ("npm audit", npm_packages)):
        found, answered = audit()
        if found:
            print(f"audit: {name}: {found} known vulnerabilities", file=sys.stderr)
            failed = True
        elif not answered:
            _warn(f"{name}: the vulnerability database could not be reached; not checked")
            failed = failed or strict
        else:
            print(f"audit: {name}: no known vulnerabilities")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
