"""Shared fixtures: the examples, and the `--update-goldens` flag that rewrites golden files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def pytest_configure(config: pytest.Config) -> None:
    """In CI (`CNNCALC_REQUIRE_TORCH=1`) a missing torch is an error, not a skipped tier."""
    import os

    if os.environ.get("CNNCALC_REQUIRE_TORCH"):
        import warnings

        try:
            with warnings.catch_warnings():  # torch warns when NumPy is absent; not needed here
                warnings.simplefilter("ignore")
                import torch  # noqa: F401
        except ImportError as err:
            raise pytest.UsageError(
                "CNNCALC_REQUIRE_TORCH is set but torch is missing: pip install -e '.[parity]'"
            ) from err
        import importlib.util

        if importlib.util.find_spec("torchvision") is None:
            raise pytest.UsageError(
                "CNNCALC_REQUIRE_TORCH is set but torchvision is missing: "
                "pip install -e '.[parity]'"
            )
        if importlib.util.find_spec("onnx") is None:  # the ONNX tests read torch's exports
            raise pytest.UsageError(
                "CNNCALC_REQUIRE_TORCH is set but onnx is missing: pip install -e '.[test]'"
            )
