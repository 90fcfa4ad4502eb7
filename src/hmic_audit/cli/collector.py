"""The cyclic garbage collector in the console script: paused while the application is
imported and the command line parsed (:func:`pause_collector`, by
:func:`~hmic_audit.cli.start.main`), resumed as the command starts
(:func:`resume_collector`, by :func:`~hmic_audit.cli.output.guarded`). Standard library
only: the console script imports it before anything else."""

from __future__ import annotations

import gc

_PAUSED: list[bool] = []
"""Whether ``main`` paused the cyclic garbage collector (and ``resume_collector`` has
not yet resumed it)."""


def resume_collector() -> None:
    """Resume the cyclic garbage collector that ``main`` paused while the application
    was imported and the command line parsed, after moving every object made so far
    (modules, classes, functions, the command's options: none of them garbage) where
    no collection looks again (``gc.freeze``). A collection then walks only what the
    command itself makes: a grade of 100,000 audits spent about 50 ms, a report about
    140 ms, collecting - mostly walking the imported modules' objects again and again.
    Does nothing when ``main`` did not pause it (the library, the tests)."""
    if _PAUSED:
        _PAUSED.clear()
        gc.freeze()
        gc.enable()


def pause_collector() -> None:
    """Pause the cyclic garbage collector until the command starts: importing makes many
    objects and no garbage. Does nothing when it is off already."""
    if gc.isenabled():
        gc.disable()
        _PAUSED.append(True)
