"""The README and the documentation site: a README a planner can read (at most 250 lines, starting
with the install-and-run and install-and-test commands, every command it shows a real one), a site
whose navigation names only pages that exist, and reference tables generated from the code. No
network, and nothing outside the repository."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
import yaml

from cfc_sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_README_LINES = 250


def code_blocks(text: str, language: str = "[a-z]*") -> list[str]:
    """The fenced code blocks of a Markdown text (of one language, if given), in order."""
    return [m.group(1) for m in re.finditer(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


def commands(block: str) -> list[list[str]]:
    """Each shell command of a block (comments dropped, `&&` split), as words."""
    out = []
    for line in block.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        for part in line.split("&&"):
            out.append(shlex.split(part))
    return out


def test_the_readme_is_at_most_250_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; at most {MAX_README_LINES}"


def test_the_readme_starts_with_the_two_commands() -> None:
    first = code_blocks(README.read_text(encoding="utf-8"))[0]
    assert [c for c in commands(first)] == [["pip", "install", "-e", ".[dev]"], ["cfc-sim", "run"],
                                            ["pip", "install", "-e", ".[dev]"], ["pytest"]]


def test_every_command_in_the_readmes_shell_blocks_exists(capsys: pytest.CaptureFixture[str]) -> None:
    """The first two code blocks (the two commands, then installing) and every other shell block."""
    text = README.read_text(encoding="utf-8")
    blocks = code_blocks(text)[:2] + code_blocks(text, "bash")
    assert main(["--help"]) == 0
    verbs = set(re.findall(r"^  ([a-z]+)\s", capsys.readouterr().out, re.MULTILINE))
    assert {"run", "validate", "readiness", "report", "compare"} <= verbs
    assert '"mkdocs>=' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # `mkdocs` below is installed
    seen = []
    for words in (c for block in blocks for c in commands(block)):
        program = words[0]
        if program == "cfc-sim":
            verb = next((w for w in words[1:] if not w.startswith("-")), "--help")
            if verb == "--help":
                assert words[1:] == ["--help"]
                continue
            assert verb in verbs, f"README runs `cfc-sim {verb}`, which `cfc-sim --help` does not list"
            seen.append(verb)
            for path in (w for w in words if w.startswith("scenarios/") and "*" not in w):
                assert (ROOT / path).is_file(), f"README names {path}, which does not exist"
        elif program == "pip":
            assert words[1:4] == ["install", "-e", ".[dev]"] or words[1:3] == ["install", "-e"]
        elif program in ("python3", "python"):
            assert words[1] == "-m"
        else:
            assert program in ("pytest", ".", "ruff", "mypy", "mkdocs", "bash"), f"README runs {program!r}"
    assert "run" in seen


def test_the_readme_runs_from_the_repository_folder_only_scenarios_it_ships() -> None:
    text = README.read_text(encoding="utf-8")
    for name in set(re.findall(r"`([a-z0-9-]+\.yaml)`", text)) - {"london-turnover.yaml"}:
        assert (ROOT / "scenarios" / name).is_file(), name


def nav_pages(nav: list) -> list[str]:  # type: ignore[type-arg]
    out: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_the_site_navigation_names_every_page_and_only_pages_that_exist() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True
    pages = nav_pages(config["nav"])
    docs = ROOT / config["docs_dir"]
    assert all((docs / page).is_file() for page in pages), [p for p in pages if not (docs / p).is_file()]
    written = {str(p.relative_to(docs)) for p in docs.rglob("*.md")}
    assert written == set(pages), written ^ set(pages)
    for page in ("performance.md", "calibrating.md", "need.md", "readiness.md", "results-folders.md",
                 "model.md", "calibration.md", "validation.md"):
        assert page in pages


def test_the_generated_reference_tables_come_from_the_code() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import hooks
    finally:
        sys.path.remove(str(ROOT / "docs"))
    page = "intro\n<!-- generated: scenario-keys area -->\n<!-- generated: metrics -->\n"
    out = hooks.on_page_markdown(page, None, None, None)
    assert "| `workforce.annual_turnover` | number (>= 0, <= 5) | required |" in out
    assert "| `court.sitting_days_per_week` |" in out
    assert "| `cir_on_time_share` |" in out and "<!--" not in out
    keys = hooks.on_page_markdown("<!-- generated: scenario-keys scenario -->", None, None, None)
    assert "`readiness.hold_months`" in keys and "`replications`" in keys


def test_the_tables_written_into_the_pages_are_the_code_s_own() -> None:
    """The reference tables are in the Markdown too (a reader of the repository sees them; an error
    message points at them), and match what the code makes now: `python docs/hooks.py` refreshes them."""
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import hooks
    finally:
        sys.path.remove(str(ROOT / "docs"))
    pages = [p for p in (ROOT / "docs").rglob("*.md") if hooks.MARKER.search(p.read_text(encoding="utf-8"))]
    assert {p.name for p in pages} >= {"results.md", "scenario-keys.md"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count(hooks.END) == len(hooks.MARKER.findall(text)), f"{page}: a marker without its table"
        assert hooks.refresh(text) == text, f"{page} is stale: run python docs/hooks.py"
    assert "| `cir_on_time_share` |" in (ROOT / "docs" / "reference" / "results.md").read_text(encoding="utf-8")
    # a new marker above a block keeps the text between them (the refresher once swallowed it)
    page = hooks.refresh("x\n<!-- generated: metrics -->\nkeep me\n<!-- generated: metrics -->\nold\n"
                         + hooks.END + "\n")
    assert "keep me" in page and "old" not in page and page.count(hooks.END) == 2 and hooks.refresh(page) == page
