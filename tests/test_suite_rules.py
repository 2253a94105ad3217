"""The suite's own house rules, checked on its source so that they stay kept.

* What tests share lives in ``tests/support/``; the top of ``tests/`` holds only test
  modules, ``conftest.py`` and ``__init__.py``.
* No module imports a test module or ``tests.conftest`` (fixtures come through conftest,
  helpers from ``tests.support``): a test file can then be moved, split or run alone.
* No fixed sleep outside ``tests/support``: ``time.sleep(0.3)``, ``page.wait_for_timeout(200)``
  or ``asyncio.sleep(1)`` guess how long something takes, too short on a busy machine and
  too long on an idle one. Wait for the condition (``tests.support.waiting.wait_until``,
  ``tests.support.browser.wait_in_page``) or move the clock (the ``clock`` fixture). The
  few sleeps that are the scenario itself are listed in ``ALLOWED_SLEEPS`` with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"
TOP_LEVEL_EXTRAS = {"__init__.py", "conftest.py"}
SLEEPS = {"sleep", "wait_for_timeout"}

# (file, the call as written) -> why this fixed pause is the scenario, not a wait.
ALLOWED_SLEEPS = {
    ("conftest.py", "time.sleep(1)"): (
        "back-off before emptying the tables again after a deadlock with a worker that was "
        "still writing: a retry pause, there is no condition to wait for"
    ),
    ("test_faults_storage.py", "time.sleep(1)"): (
        "the client retries a part once a second while the store is down: the pace of "
        "the retries is the behaviour under test (as Uppy retries a part)"
    ),
    ("test_storage_backends.py", "time.sleep(1.1)"): (
        "SeaweedFS stamps parts to the second with its own clock (another process, out of "
        "time-machine's reach): the two uploads of a part must be a second apart"
    ),
}


def _python_files() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(TESTS).as_posix()


def _imported_modules(tree: ast.Module) -> list[str]:
    """Every module an ``import`` names, ``from tests import x`` read as ``tests.x``."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "tests" if node.level else (node.module or "")
            module = f"{base}.{node.module}" if node.level and node.module else base
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return (
        len(parts) >= 2
        and parts[0] == "tests"
        and (parts[1].startswith("test_") or parts[1] == "conftest")
    )


def _is_literal(node: ast.expr) -> bool:
    """A number written in the call (``1``, ``0.3``, ``-1``, ``2 * 0.1``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) and _is_literal(node.right)
    return False


def _fixed_sleeps(source: str) -> list[tuple[int, str]]:
    """``(line, call)`` of every sleep or page pause whose duration is a literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in SLEEPS and _is_literal(node.args[0]):
            found.append((node.lineno, ast.get_source_segment(source, node) or name))
    return found


def test_shared_helpers_live_in_support() -> None:
    loose = [
        path.name
        for path in TESTS.glob("*.py")
        if not path.name.startswith("test_") and path.name not in TOP_LEVEL_EXTRAS
    ]
    assert loose == [], f"move shared helpers into tests/support/: {loose}"


@pytest.mark.parametrize("path", _python_files(), ids=_relative)
def test_no_module_imports_a_test_module(path: Path) -> None:
    imported = _imported_modules(ast.parse(path.read_text()))
    wrong = sorted({name for name in imported if _is_test_module(name)})
    assert wrong == [], f"{_relative(path)} imports {wrong}: move what is shared to tests/support"


def test_no_fixed_sleeps_outside_support() -> None:
    found: dict[tuple[str, str], list[int]] = {}
    for path in _python_files():
        if SUPPORT not in path.parents:
            for line, call in _fixed_sleeps(path.read_text()):
                found.setdefault((_relative(path), call), []).append(line)
    # An allowed sleep is allowed once: a copy elsewhere in the file needs its own reason.
    unexplained = sorted(
        f"{path}:{line}: {call}"
        for (path, call), lines in found.items()
        for line in (lines if (path, call) not in ALLOWED_SLEEPS else lines[1:])
    )
    assert unexplained == [], (
        "fixed sleeps: wait for the condition (tests.support.waiting.wait_until) or move "
        f"the clock (the clock fixture) instead: {unexplained}"
    )
    stale = sorted(set(ALLOWED_SLEEPS) - set(found))
    assert stale == [], f"ALLOWED_SLEEPS names sleeps that are gone: {stale}"


def test_the_rules_catch_what_they_are_for() -> None:
    """The checks above see the forms they must see (and only those)."""
    source = (
        "import time\n"
        "from time import sleep\n"
        "time.sleep(0.3)\n"
        "sleep(1)\n"
        "page.wait_for_timeout(200)\n"
        "asyncio.sleep(-1 + 2)\n"
        "time.sleep(delay)\n"
        "clock.shift(60)\n"
    )
    assert [line for line, _call in _fixed_sleeps(source)] == [3, 4, 5, 6]
    imports = _imported_modules(
        ast.parse(
            "from tests import test_browser\n"
            "from tests.test_jobs import x\n"
            "import tests.conftest\n"
            "from .test_notes import y\n"
            "from tests.support.browser import Tab\n"
        )
    )
    assert sorted({name for name in imports if _is_test_module(name)}) == [
        "tests.conftest",
        "tests.test_browser",
        "tests.test_jobs",
        "tests.test_jobs.x",
        "tests.test_notes",
        "tests.test_notes.y",
    ]
