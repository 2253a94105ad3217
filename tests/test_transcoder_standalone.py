"""``transcoder/`` is a library: it imports without Flask, the database or the web app."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT

PROBE = """
import importlib, pkgutil, sys
import transcoder
names = [m.name for m in pkgutil.iter_modules(transcoder.__path__, "transcoder.")]
for name in names:
    importlib.import_module(name)
leaked = sorted(
    m for m in sys.modules if m.split(".")[0] in {"flask", "flask_sqlalchemy", "webapp"}
)
print(len(names), leaked)
"""


def test_every_transcoder_module_imports_without_the_app() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    count, leaked = done.stdout.strip().split(" ", 1)
    assert int(count) >= 15  # every module was tried, not an empty package
    assert leaked == "[]", f"transcoder pulled in {leaked}"
