"""The one exception type for mistakes a user can make (scenario files, arguments, results folders).

The CLI turns it into a single line on stderr and exit code 2; library code only raises it.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix: names the file and the key path where known."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file:
            where = self.file
        if self.key:
            where = f"{where}: {self.key}" if where else self.key
        return f"{where}: {self.detail}" if where else self.detail


class ScenarioError(UserError):
    """A scenario file is unreadable or invalid. `problems` holds every (key path, message) found."""

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        first_key, first_msg = problems[0]
        super().__init__(first_msg, file=file, key=first_key or None)

    def lines(self) -> list[str]:
        """One line per problem, each naming the file and key path (line breaks escaped)."""
        out = []
        for key, msg in self.problems:
            key, msg = _one_line(key), _one_line(msg)
            out.append(f"{self.file}: {key}: {msg}" if key else f"{self.file}: {msg}")
        return out


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")
