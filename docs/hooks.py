"""MkDocs hooks: reference tables generated from the code at build time, so the pages cannot
drift from it. A page asks for a table with a marker line:

    <!-- generated: scenario-keys scenario -->   (or `area`, `intervention`)
    <!-- generated: metrics -->
"""

from __future__ import annotations

import re
from typing import Any

MARKER = re.compile(r"^<!-- generated: ([a-z-]+)(?: ([a-z]+))? -->$", re.MULTILINE)


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
    """Replace each marker by its table."""
    return MARKER.sub(lambda m: generated(m.group(1), m.group(2)), markdown)
