"""Input fuzzing: mutated scenario files never crash the command line (issue 6, item 2).

A small valid scenario (two areas, one live and one going live mid-horizon, three months, every
workforce mechanism switched on) is mutated, written to a file and given to `cfc-sim validate`:

- dict mutations: at one key path of the scenario (any key or list item) delete it, replace it
  with a wrong-typed or out-of-range value, or add an unknown sibling key;
- text mutations of its YAML: a slice replaced by random bytes (non-UTF-8 and NUL included),
  truncation, a duplicated line, a tab, a `!!python/object` tag, an anchor and alias.

Validation must exit 0 or 2, never print a traceback or "internal error"; on 2 every stderr
line names the file and, for a dict mutation, the message names the mutated key (or its
parent). A mutant that validates must run (`cfc-sim run --reps 1`) and exit 0 within 30 s.

Product bugs found this way (all fixed) are pinned at the end of the file as regression tests and
kept out of the random search (`_known_bug`), so the search keeps looking for new ones.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_runner import invoke_quietly
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from scenario_factory import scenario_dict

Path_ = tuple[str | int, ...]


def base_scenario() -> dict[str, Any]:
    """Two areas (one live from before the start, one going live in month 2), every mechanism on."""
    data = scenario_dict(
        horizon_months=3, replications=1,
        defaults__workforce__establishment=12, defaults__workforce__annual_turnover=0.5,
        defaults__workforce__time_to_hire_days={"dist": "gamma", "mean": 30, "sd": 10},
        defaults__workforce__induction_days=30, defaults__workforce__induction_start_cap_share=0.5,
        defaults__workforce__sickness__episodes_per_year=4,
        defaults__workforce__training={"days": 5, "seats_per_month": 2, "trained_share_at_start": 0.5},
        defaults__workforce__flexible={"max_fte": 1, "trigger_queue": 5, "cost_per_fte_day": 300},
        defaults__workforce__other_work_share=0.2,
        defaults__prioritisation={"activate_queue": 20, "deactivate_queue": 5, "hub_review_days": 7},
        defaults__demand__applications_per_week=15,
    )
    data["calendar"] = {"bank_holidays": ["2026-05-04", "2026-05-25"]}
    data["areas"] = [
        {"name": "Live", "region": "North", "go_live": "2025-01-06"},
        {"name": "Later", "go_live": "2026-05-15",
         "workforce": {"fcas": 6, "caseload_cap": 12},
         "cfc": {"intake_days": {"dist": "triangular", "low": 2, "mode": 5, "high": 9}}},
    ]
    data["interventions"] = [{"at": "2026-05-01", "area": "Live", "set": {"workforce.establishment": 14}}]
    return data


BASE = base_scenario()


def all_paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every key path in the document (mapping keys and list indexes), parents before children."""
    out: list[Path_] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        path = (*prefix, key)
        out.append(path)
        out.extend(all_paths(child, path))
    return out


PATHS = all_paths(BASE)
DICT_PATHS = [p for p in PATHS if isinstance(p[-1], str)]  # paths whose parent is a mapping

BAD_VALUES: list[Any] = [
    -1, -0.5, 1.5, 1e6, 10**6, 1e308, 1e-300, float("nan"), float("inf"), "abc", "", [], {}, None, True,
    "2026-02-30", "2026-13-01", {"dist": "weibull"}, [1, 2],
]


def show(path: Path_) -> str:
    text = ""
    for seg in path:
        text += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if text else seg)
    return text


def parent_of(data: Any, path: Path_) -> Any:
    node = data
    for seg in path[:-1]:
        node = node[seg]
    return node


@dataclass(frozen=True)
class Mutation:
    """One edit of the scenario mapping; `repr` is what a shrunk failure shows."""

    op: str  # delete | replace | add_unknown
    path: Path_
    value: Any = None

    def __repr__(self) -> str:
        extra = "" if self.op == "delete" else f" {self.value!r}"
        return f"<{self.op} {show(self.path)}{extra}>"

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(data)
        parent = parent_of(out, self.path)
        key = self.path[-1]
        if self.op == "delete":
            del parent[key]
        elif self.op == "replace":
            parent[key] = copy.deepcopy(self.value)
        else:
            parent[self.value] = 1
        return out

    def names(self) -> set[str] | None:
        """Words of which at least one must appear in a refusal: the key, or its parent (None: no key
        check, for a list item deleted: the list is still well formed and a reference may break)."""
        if self.op == "add_unknown":
            return {self.value}
        if self.op == "delete" and isinstance(self.path[-1], int):
            return None
        keys = [seg for seg in self.path if isinstance(seg, str)]
        names = {keys[-1]} if self.op == "delete" else set(keys[-2:])
        if self.path[0] == "areas" and len(self.path) >= 3 and self.path[2] == "name" and \
                BASE["areas"][self.path[1]]["name"] in REFERENCED_AREAS:
            names.add("interventions")  # renaming an area an intervention names breaks that reference
        return names


REFERENCED_AREAS = {i["area"] for i in BASE["interventions"]}


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    op = draw(st.sampled_from(["delete", "replace", "add_unknown"]))
    if op == "add_unknown":
        path = draw(st.sampled_from(DICT_PATHS))
        siblings = parent_of(BASE, path)
        name = draw(st.from_regex(r"x_[a-z]{1,8}", fullmatch=True).filter(lambda k: k not in siblings))
        return Mutation(op, path, name)
    path = draw(st.sampled_from(PATHS))
    return Mutation(op, path, draw(st.sampled_from(BAD_VALUES)) if op == "replace" else None)


# ---- text mutations of the YAML dump ---------------------------------------------------------------


@dataclass(frozen=True)
class TextMutation:
    op: str
    at: int
    data: bytes = b""

    def __repr__(self) -> str:
        return f"<{self.op} at {self.at} {self.data!r}>"

    def apply(self, text: bytes) -> bytes:
        lines = text.splitlines(keepends=True)
        i = self.at % (len(text) + 1)
        line = self.at % len(lines)
        if self.op == "replace_slice":
            return text[:i] + self.data + text[i + len(self.data):]
        if self.op == "truncate":
            return text[:i]
        if self.op == "duplicate_line":
            return b"".join(lines[: line + 1] + lines[line:])
        if self.op in ("tag", "anchor"):
            # put the insertion on a value: after "key: " of the chosen line, else at its start
            head, sep, tail = lines[line].partition(b": ")
            if self.op == "tag":
                lines[line] = head + sep + self.data + b" " + tail if sep else self.data + b" " + lines[line]
                return b"".join(lines)
            lines[line] = head + sep + b"&a1 " + tail if sep else b"&a1 " + lines[line]
            later = [j for j in range(line + 1, len(lines)) if b": " in lines[j]]
            if later:
                j = later[self.at % len(later)]
                lines[j] = lines[j].partition(b": ")[0] + b": *a1\n"
            return b"".join(lines)
        return text[:i] + self.data + text[i:]  # insert


BASE_YAML = yaml.safe_dump(BASE, sort_keys=False).encode()

text_mutations = st.one_of(
    st.builds(TextMutation, st.just("replace_slice"), st.integers(0, len(BASE_YAML)),
              st.one_of(st.binary(min_size=1, max_size=12),
                        st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12).map(
                            str.encode),
                        st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3(", b"\t", b"\xe2\x80\xa8"]))),
    st.builds(TextMutation, st.just("truncate"), st.integers(0, len(BASE_YAML))),
    st.builds(TextMutation, st.just("duplicate_line"), st.integers(0, 10_000)),
    st.builds(TextMutation, st.just("insert"), st.integers(0, len(BASE_YAML)), st.sampled_from([b"\t", b"\n\t"])),
    st.builds(TextMutation, st.just("tag"), st.integers(0, 10_000),
              st.sampled_from([b"!!python/object/apply:os.system ['true']", b"!!python/object:builtins.dict",
                               b"!!binary", b"!custom"])),
    st.builds(TextMutation, st.just("anchor"), st.integers(0, 10_000)),
)


# ---- the checks ------------------------------------------------------------------------------------

_counter = itertools.count()
RUN_SECONDS = 30  # the base scenario runs in about 1.5 s; a mutant far slower is a finding


class TooSlow(BaseException):
    """Raised by the alarm; a BaseException so the CLI's `except Exception` does not swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise TooSlow(f"no result within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _no_crash(code: int, out: str, err: str) -> None:
    for stream in (out, err):
        assert "Traceback" not in stream, stream
        assert "internal error" not in stream, stream


def check_file(path: Path, workdir: Path) -> tuple[int, str]:
    """Validate `path`; on success run it. Returns (validate exit code, validate stderr)."""
    code, out, err = invoke_quietly(["validate", str(path)])
    _no_crash(code, out, err)
    assert code in (0, 2), (code, out, err)
    if code == 2:
        lines = err.splitlines()
        assert lines, "exit 2 with nothing on stderr"
        for line in lines:
            assert str(path) in line, f"a line of the refusal does not name the file: {line!r}"
        return code, err
    run_out = workdir / f"out{next(_counter)}"
    try:
        with time_limit(RUN_SECONDS):
            code_run, out_run, err_run = invoke_quietly(["run", str(path), "--reps", "1", "--out", str(run_out)])
    except TooSlow:
        raise AssertionError(f"a valid mutant did not finish a 3-month run in {RUN_SECONDS} s") from None
    _no_crash(code_run, out_run, err_run)
    assert code_run == 0, (code_run, out_run, err_run)
    return code, err


TINY = 1e-6


def _known_bug(mutation: Mutation) -> bool:
    """Mutants of the (fixed) bugs pinned below as regression tests (`test_tiny_distribution_parameters_...`,
    `test_tiny_hub_review_days_...`). Kept out of the random search, which looks for new failures."""
    value = mutation.value
    if mutation.op != "replace" or isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not 0 < value < TINY:
        return False
    if mutation.path[-1] == "hub_review_days":
        return True  # hangs
    node = parent_of(BASE, mutation.path)
    return isinstance(node, dict) and (node.get("dist"), mutation.path[-1]) in (("lognormal", "mean"),
                                                                                ("gamma", "sd"))


def _names_key(err: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", err) for n in names)


@settings(SETTINGS, max_examples=60)
@given(mutation=mutations())
def test_dict_mutations_are_refused_by_key_or_run(mutation: Mutation, workdir: Path) -> None:
    if _known_bug(mutation):
        return
    data = mutation.apply(BASE)
    text = yaml.safe_dump(data, sort_keys=False)
    note(text)
    path = workdir / "mutant.yaml"
    path.write_text(text)
    code, err = check_file(path, workdir)
    event(f"validate exit {code}")
    if mutation.op == "add_unknown":
        assert code == 2, "an unknown key was accepted"
    names = mutation.names()
    if code == 2 and names is not None:
        assert _names_key(err, names), (mutation, names, err)


@settings(SETTINGS, max_examples=40)
@given(mutation=text_mutations)
def test_text_mutations_are_refused_or_run(mutation: TextMutation, workdir: Path) -> None:
    data = mutation.apply(BASE_YAML)
    note(repr(data))
    path = workdir / "mutant-text.yaml"
    path.write_bytes(data)
    event(f"validate exit {check_file(path, workdir)[0]}")


def test_base_scenario_is_valid_and_runs(workdir: Path) -> None:
    path = workdir / "base.yaml"
    path.write_bytes(BASE_YAML)
    assert check_file(path, workdir)[0] == 0


def _validate_only(path: Path, mutation: Mutation) -> None:
    path.write_text(yaml.safe_dump(mutation.apply(BASE), sort_keys=False))
    code, out, err = invoke_quietly(["validate", str(path)])
    _no_crash(code, out, err)
    assert code in (0, 2), (mutation, code, err)
    if mutation.op == "add_unknown":
        assert code == 2, mutation
    if code == 2:
        assert all(str(path) in line for line in err.splitlines()), (mutation, err)
        names = mutation.names()
        assert names is None or _names_key(err, names), (mutation, err)


def test_every_deletion_and_unknown_key_is_refused_by_key_or_valid(workdir: Path) -> None:
    """Exhaustive (not sampled) for the two small mutation families; validation only, so fast."""
    path = workdir / "exhaustive.yaml"
    for p in PATHS:
        _validate_only(path, Mutation("delete", p))
    for p in DICT_PATHS:
        _validate_only(path, Mutation("add_unknown", p, "x_unknown"))


# ---- product bugs found by the fuzzing, fixed: regression tests -----------------------------------


def _run_mutant(workdir: Path, mutation: Mutation) -> None:
    path = workdir / f"bug{next(_counter)}.yaml"
    path.write_text(yaml.safe_dump(mutation.apply(BASE), sort_keys=False))
    check_file(path, workdir)


@pytest.mark.parametrize("mutation", [
    # lognormal: OverflowError (34, 'Numerical result out of range') in (sd / mean) ** 2
    Mutation("replace", ("defaults", "cap", "report_work_days", "sd"), 1e308),
    # gamma: OverflowError in (mean / sd) ** 2 and sd ** 2
    Mutation("replace", ("defaults", "workforce", "time_to_hire_days", "mean"), 1e308),
    Mutation("replace", ("defaults", "workforce", "time_to_hire_days", "sd"), 1e308),
    # triangular: numpy returns -inf, SimPy raises ValueError 'Negative delay -inf'
    Mutation("replace", ("defaults", "cfc", "intake_days", "high"), 1e308),
    # shifted_poisson: numpy ValueError 'lam value too large'
    Mutation("replace", ("defaults", "demand", "children_per_case", "mean"), 1e308),
    Mutation("replace", ("defaults", "demand", "children_per_case", "mean"), 2**63),
    # a bare number is `fixed`: int(round(1e308)) children, then OverflowError 'int too large to convert to float'
    Mutation("replace", ("defaults", "demand", "children_per_case"), 1e308),
], ids=repr)
def test_huge_distribution_parameters_are_refused_or_run(workdir: Path, mutation: Mutation) -> None:
    _run_mutant(workdir, mutation)


def test_area_can_override_a_distribution_with_another_kind(workdir: Path) -> None:
    data = copy.deepcopy(BASE)
    data["areas"][1]["cfc"]["intake_days"] = {"dist": "uniform", "low": 2, "high": 9}
    path = workdir / "override.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = invoke_quietly(["validate", str(path)])
    # either the override replaces the default distribution, or at least the message points at the area
    assert code == 0, err  # the area's own distribution replaces the default one


def test_unknown_key_with_a_line_break_stays_on_one_line(workdir: Path) -> None:
    data = copy.deepcopy(BASE)
    data["defaults"]["demand"]["a\nb"] = 1
    path = workdir / "newline-key.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = invoke_quietly(["validate", str(path)])
    assert code == 2
    assert all(str(path) in line for line in err.splitlines()), err


# ---- further product bugs found by the fuzzing, fixed: regression tests ---------------------------


@pytest.mark.parametrize("mutation", [
    Mutation("replace", ("defaults", "cfc", "cir_work_days", "mean"), 1e-300),
    Mutation("replace", ("defaults", "cfc", "cir_work_days", "mean"), 5e-324),
    Mutation("replace", ("defaults", "workforce", "time_to_hire_days", "sd"), 1e-300),
], ids=repr)
def test_tiny_distribution_parameters_are_refused_or_run(workdir: Path, mutation: Mutation) -> None:
    assert _known_bug(mutation)
    _run_mutant(workdir, mutation)


def test_tiny_hub_review_days_is_refused_or_runs(workdir: Path) -> None:
    mutation = Mutation("replace", ("defaults", "prioritisation", "hub_review_days"), 1e-300)
    assert _known_bug(mutation)
    path = workdir / "hub.yaml"
    path.write_text(yaml.safe_dump(mutation.apply(BASE), sort_keys=False))
    code, out, err = invoke_quietly(["validate", str(path)])
    if code == 0:
        with time_limit(5):
            code, out, err = invoke_quietly(["run", str(path), "--reps", "1", "--out", str(workdir / "hub-out")])
    _no_crash(code, out, err)
    assert code in (0, 2), err
