"""Run the console-script entry point in-process and capture its exit code and output."""

from __future__ import annotations

import contextlib
import io

import pytest

from cfc_sim.cli import main


def _exit_code(exc: SystemExit) -> int:
    code = 0 if exc.code is None else exc.code
    assert isinstance(code, int), code
    return code


def _call(argv: list[str]) -> int:
    """The exit code `cfc-sim ARGV` would give (`sys.exit(main(argv))`)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return _exit_code(exc)


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the console-script entry point; return (exit code, stdout, stderr)."""
    code = _call(argv)
    out, err = capsys.readouterr()
    return code, out, err


def invoke_quietly(argv: list[str]) -> tuple[int, str, str]:
    """`invoke` for module-scoped fixtures (no capsys there)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _call(argv)
    return code, out.getvalue(), err.getvalue()


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> str:
    """Run `cfc-sim ARGV`, check it is refused as the project refuses (exit 2, no traceback, nothing
    on stdout, the message naming each of `words`) and return the message."""
    code, out, err = invoke(argv, capsys)
    assert code == 2, (argv, out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    assert not out.strip(), (argv, out)  # refused before any output: no header, no partial table
    for word in words:
        assert word in err, (word, err)
    return err


def ctrl_c_reaches_it() -> None:
    """`preexec_fn` for a child the test will send SIGINT: SIGINT as in a terminal. A test run started in
    the background by a shell without job control (`(pytest &)`, nohup in a script) ignores SIGINT, and
    a child inherits an ignored signal, so without this the child never saw the test's Ctrl-C and the
    signal tests failed there, and only there."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
