"""Run axe-core (the npm package in node_modules/) in a Playwright page.

The source is evaluated through the DevTools protocol (``page.evaluate``), which a
Content-Security-Policy of ``script-src 'self'`` does not govern, so the pages are audited
with their real CSP in force. Only the serious and critical violations are returned.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from playwright.sync_api import Page

from tests.support.paths import ROOT

AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# WCAG 2.x A and AA plus axe's best practices (landmarks, headings, region...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN_AXE = """async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String),
      html: n.html,
      summary: n.failureSummary || '',
    })),
  }));
}"""


@cache
def axe_source() -> str:
    """The text of axe.min.js; fails clearly when `npm ci` has not installed it."""
    if not AXE_SOURCE.exists():
        raise FileNotFoundError(
            f"{AXE_SOURCE} is missing: run `npm ci` (axe-core is in package.json)"
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


def inject_axe(page: Page) -> None:
    """Define ``window.axe`` in the page unless a previous call already did."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    assert page.evaluate("() => typeof window.axe.run === 'function'"), "axe did not load"


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe violations of the page as it is now."""
    inject_axe(page)
    violations = page.evaluate(RUN_AXE, TAGS)
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]], limit: int = 5) -> str:
    """A readable report: rule, impact, help, and the first nodes' selectors and HTML."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:limit]:
            lines.append(f"    at {' > '.join(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    … and {len(v['nodes']) - limit} more nodes")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with :func:`describe`'s report if axe finds serious or critical violations."""
    violations = blocking_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
