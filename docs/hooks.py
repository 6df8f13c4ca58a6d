"""MkDocs hooks: reference tables generated from the code, so the pages cannot drift from it. A
page asks for a table with a marker line, and the table follows it up to an end line:

    <!-- generated: scenario-keys scenario -->   (or `area`, `intervention`)
    ...the table...
    <!-- end generated -->

The tables are written into the Markdown (`python docs/hooks.py` refreshes them; a test fails when
one is stale), so a reader of the repository sees them too, and the site's build replaces each
block by a table made afresh (a marker without its end line is filled the same way).
"""

from __future__ import annotations

import re
from typing import Any

MARKER = re.compile(r"^<!-- generated: ([a-z-]+)(?: ([a-z]+))? -->$", re.MULTILINE)
END = "<!-- end generated -->"
# a block's table lines, none of them a marker: a bare marker above a block is not swallowed by it
BLOCK = re.compile(r"^<!-- generated: ([a-z-]+)(?: ([a-z]+))? -->\n(?:(?!<!-- (?:generated:|end generated)).*\n)*?"
                   + END + r"$", re.MULTILINE)


def metrics_table() -> str:
    """Every summary metric of the catalogue: its name, what it means, its unit."""
    from cfc_sim.metric_catalogue import CATALOGUE

    lines = ["| metric | meaning | unit |", "| --- | --- | --- |"]
    lines += [f"| `{m.name}` | {m.label} | {m.unit} |" for m in CATALOGUE]
    return "\n".join(lines)


def generated(kind: str, part: str | None) -> str:
    """The Markdown for one marker."""
    if kind == "metrics":
        return metrics_table()
    if kind == "scenario-keys":
        from cfc_sim.scenario.key_reference import markdown_table, scenario_key_rows

        return markdown_table(scenario_key_rows()[part or "scenario"])
    raise ValueError(f"unknown generated table {kind!r}")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each block (or bare marker) by its table, made afresh."""
    markdown = BLOCK.sub(lambda m: generated(m.group(1), m.group(2)), markdown)
    return MARKER.sub(lambda m: generated(m.group(1), m.group(2)), markdown)


def refresh(markdown: str) -> str:
    """The page with each block's table made afresh (a bare marker gains its table and end line)."""
    markdown = BLOCK.sub(lambda m: m.group(0).split("\n", 1)[0], markdown)  # back to bare markers
    return MARKER.sub(lambda m: f"{m.group(0)}\n{generated(m.group(1), m.group(2))}\n{END}", markdown)


if __name__ == "__main__":  # refresh the tables written into the pages
    from pathlib import Path

    for path in sorted(Path(__file__).resolve().parent.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if MARKER.search(text) and refresh(text) != text:
            path.write_text(refresh(text), encoding="utf-8")
            print(f"refreshed {path}")
