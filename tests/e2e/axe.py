"""axe-core in the browser tests. The engine comes from the pinned `axe-playwright-python`
wheel (requirements-dev.txt), which ships axe.min.js: no network and no Node at test time."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

FAILING_IMPACTS = ("critical", "serious")
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")), count: v.nodes.length,
  }));
}"""


@cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_version() -> str:
    first = axe_source()[:200]
    return first.split("axe v", 1)[1].split()[0] if "axe v" in first else "unknown"


def axe_violations(page) -> list[dict]:
    """Every violation on the page as it is now. Each: id, impact, help, the first few node
    selectors and the node count. axe is added to the page unless an init script
    (`context.add_init_script(script=axe_source())`) already put it there."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(RUN)


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]
