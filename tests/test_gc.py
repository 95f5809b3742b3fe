"""A library call never changes process-wide state: the cycle collector stays on while
`cnncalc.analyze()` runs (only the command line pauses it, for its one command)."""

from __future__ import annotations

import gc
import threading

from typer.testing import CliRunner

import cnncalc
import cnncalc.engine
from cnncalc.cli import app


def stack(n: int) -> str:
    ops = ["  - conv: {out: 8, k: 3, p: 1}", "  - bn", "  - relu"]
    return "input: 8x16x16\nlayers:\n" + "\n".join(ops[i % 3] for i in range(n)) + "\n"


def test_analyze_leaves_the_collector_on() -> None:
    seen: list[bool] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(gc.isenabled())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(3):
            cnncalc.analyze(stack(3000))
    finally:
        done.set()
        watcher.join()
    assert gc.isenabled()
    assert seen and all(seen)


def test_the_command_line_restores_the_collector() -> None:
    assert gc.isenabled()
    result = CliRunner().invoke(app, ["params", "-", "--format", "json"], input=stack(30))
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
