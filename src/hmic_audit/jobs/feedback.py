"""How a job tells its caller what is happening while it runs: the steps that may take
a while, the problems found on the way (warnings and notices: an error ends the job by
raising), and notes. The CLI's feedback (``cli.output.ConsoleFeedback``) shows them on
stderr; a library caller gets :data:`SILENT` unless it passes its own."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..problems import Problem


class Feedback(Protocol):
    def step(self, what: str) -> AbstractContextManager[object]:
        """Around work that may take a while ("Reading cases.xlsx")."""
        ...

    def problems(self, found: list[Problem], file: str | None = None) -> None:
        """Warnings and notices found in ``file``, as soon as they are known."""
        ...

    def note(self, message: str) -> None:
        """Something the user should know that is not about one input."""
        ...

    def warning(self, message: str) -> None:
        """Something left out or not counted that the user must know about (a table
        too small to publish, cases audited by one side only)."""
        ...


class Silent:
    """Feedback that shows nothing (what a job's result holds is enough)."""

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        yield

    def problems(self, found: list[Problem], file: str | None = None) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass


SILENT: Feedback = Silent()
