"""cnncalc: exact parameter, shape, MAC/FLOP, memory and receptive-field counts of CNNs.

`analyze(source)` takes a path, YAML text or a parsed dict and returns a `Report`. Importing this
package loads neither rich, typer nor torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cnncalc.engine import Network, Report, analyze_network
from cnncalc.errors import CnnCalcError, ShapeError, SpecError

__version__ = "0.1.0"
__all__ = [
    "CnnCalcError",
    "Network",
    "Report",
    "ShapeError",
    "SpecError",
    "__version__",
    "analyze",
    "load",
]


def load(source: str | Path | dict[str, Any]) -> Network:
    """Parse a network from a path, YAML text (anything with a newline or a colon) or a dict."""
    from cnncalc import loader

    if isinstance(source, dict):
        return loader.load_dict(source)
    if isinstance(source, Path):
        return loader.load(source)
    if "\n" in source or not source.strip() or (":" in source and not Path(source).exists()):
        return loader.load_text(source)
    return loader.load(source)


def analyze(source: str | Path | dict[str, Any]) -> Report:
    """Load and analyse a network; every user error raises `CnnCalcError`."""
    return analyze_network(load(source))
