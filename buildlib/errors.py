"""Build failures: every problem names its file and line, and all are reported at once."""
from __future__ import annotations


class BuildError(Exception):
    """The build cannot produce a correct site.

    ``problems`` are complete lines for the reader (``chapters/x.md:42: …``);
    ``exit_code`` is what ``build.py`` exits with (1 for bad sources, 2 for a
    missing tool or dependency the user must install).
    """

    def __init__(self, problems: list[str] | str, exit_code: int = 1):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.exit_code = exit_code
        super().__init__("\n".join(self.problems))


class Problems:
    """Collects ``file:line: message`` problems (deduplicated, in order) during a build."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, int]] = {}

    def add(self, where: str, line: int | None, message: str) -> None:
        """Record one problem in file ``where`` (repo-relative) at 1-based ``line``."""
        loc = f"{where}:{line}" if line else where
        self._seen.setdefault(f"{loc}: {message}", (where, line or 0))

    def __bool__(self) -> bool:
        return bool(self._seen)

    def __len__(self) -> int:
        return len(self._seen)

    @property
    def messages(self) -> list[str]:
        """The problems, by file and line (found order within a line)."""
        return sorted(self._seen, key=lambda m: self._seen[m])

    def raise_if_any(self) -> None:
        """Raise :class:`BuildError` with every problem so far, if there is one."""
        if self:
            raise BuildError(self.messages)
