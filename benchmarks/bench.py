"""Benchmarks: whole-process start-up against the import floor, and in-process analysis time.

Run: `python benchmarks/bench.py` (from a checkout with cnncalc installed). Prints a Markdown
table (the one in README.md). Wall times are medians of interleaved runs, so that a slow moment
of the machine hits every command alike.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cnncalc_cmd() -> list[str]:
    script = Path(sys.executable).parent / "cnncalc"
    if script.exists():
        return [str(script)]
    found = shutil.which("cnncalc")
    return [found] if found else [sys.executable, "-m", "cnncalc"]


def commands() -> dict[str, list[str]]:
    cli = cnncalc_cmd()
    return {
        "floor: python -c 'import typer, rich.table, yaml'": [
            sys.executable,
            "-c",
            "import typer, rich.table, yaml",
        ],
        "cnncalc layer --in 3 --out 64 -k 3": [
            *cli,
            "layer",
            "--in",
            "3",
            "--out",
            "64",
            "-k",
            "3",
        ],
        "cnncalc params examples/vgg16.yaml": [*cli, "params", str(ROOT / "examples/vgg16.yaml")],
        "cnncalc params examples/resnet50.yaml": [
            *cli,
            "params",
            str(ROOT / "examples/resnet50.yaml"),
        ],
        "cnncalc params examples/densenet121.yaml": [
            *cli,
            "params",
            str(ROOT / "examples/densenet121.yaml"),
        ],
        # 120 layers, over 400 tables of steps: within 2× of `params` on the same file
        "cnncalc explain examples/densenet121.yaml": [
            *cli,
            "explain",
            str(ROOT / "examples/densenet121.yaml"),
        ],
        # the largest batch whose AdamW step fits: the line read off two batches, checked at two
        "cnncalc fit examples/resnet50.yaml --memory 24GiB": [
            *cli,
            "fit",
            str(ROOT / "examples/resnet50.yaml"),
            "--memory",
            "24GiB",
        ],
        "cnncalc params examples/resnet50.yaml --format json": [
            *cli,
            "params",
            str(ROOT / "examples/resnet50.yaml"),
            "--format",
            "json",
        ],
    }


def compile_package() -> None:
    """Byte-compile cnncalc as `pip install` does, so that no run pays for compiling sources
    (an editable install with PYTHONDONTWRITEBYTECODE set would otherwise compile every time)."""
    import compileall

    import cnncalc

    compileall.compile_dir(Path(cnncalc.__file__).parent, quiet=1)


def wall_times(runs: int) -> dict[str, float]:
    compile_package()
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the file cache once
        subprocess.run(cmd, check=True, capture_output=True)
    for _ in range(runs):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def stack_yaml(n: int) -> str:
    """A chain of n layers: conv/bn/relu triples at a constant 16×32×32."""
    lines = ["input: 16x32x32", "layers:"]
    ops = ["  - conv: {out: 16, k: 3, p: 1}", "  - bn", "  - relu"]
    lines += [ops[i % 3] for i in range(n)]
    return "\n".join(lines) + "\n"


def residual_yaml(blocks: int) -> str:
    return (
        "input: 64x56x56\ndefaults:\n  conv: {bias: false}\nblocks:\n  basic:\n"
        "    params: {out: required}\n    layers:\n      - residual:\n          body:\n"
        "            - conv: {out: $out, k: 3, p: 1}\n            - bn\n            - relu\n"
        "            - conv: {out: $out, k: 3, p: 1}\n            - bn\n      - relu\n"
        f"layers:\n  - basic: {{out: 64}}\n    repeat: {blocks}\n"
    )


def best_of(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def analyze_times(runs: int) -> dict[str, tuple[int, float]]:
    """`cnncalc.analyze` as the command line runs it: with the cycle collector paused (the
    library itself leaves the collector alone; 10,000 layers take about 1.6× as long with it)."""
    import cnncalc
    from cnncalc.cli.common import gc_paused

    with gc_paused():
        return _analyze_times(cnncalc, runs)


def _analyze_times(cnncalc: Any, runs: int) -> dict[str, tuple[int, float]]:
    out: dict[str, tuple[int, float]] = {}
    for n in (1_000, 5_000):  # 5,000: the layer limit (docs/format.md, "Limits")
        text = stack_yaml(n)
        out[f"analyze: stack of {n:,} layers"] = (
            n,
            best_of(lambda t=text: cnncalc.analyze(t), runs),
        )
    text = residual_yaml(100)
    layers = len(cnncalc.analyze(text).layers)
    out["analyze: 100 residual blocks"] = (layers, best_of(lambda: cnncalc.analyze(text), runs))
    out["fit: resnet50 in 24GiB, load and analyse included"] = (
        len(cnncalc.analyze(ROOT / "examples/resnet50.yaml").layers),
        best_of(lambda: _fit_resnet50(cnncalc), runs),
    )
    return out


def _fit_resnet50(cnncalc: Any) -> object:
    from cnncalc.analysis.memory import Setup, fit

    report = cnncalc.analyze(ROOT / "examples/resnet50.yaml")
    return fit(report, Setup(), 24 * 2**30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    args = parser.parse_args()
    walls = wall_times(args.runs)
    floor = next(iter(walls.values()))
    print(f"Python {sys.version.split()[0]}, {args.runs} interleaved runs, median wall time\n")
    print("| command | time | × floor |")
    print("|---|---:|---:|")
    for name, t in walls.items():
        print(f"| `{name}` | {t * 1000:.0f} ms | {t / floor:.2f} |")
    print("\n| in-process | layers | time | per layer |")
    print("|---|---:|---:|---:|")
    for name, (n, t) in analyze_times(max(3, args.runs // 3)).items():
        print(f"| {name} | {n:,} | {t * 1000:.0f} ms | {t / n * 1e6:.1f} µs |")


if __name__ == "__main__":
    main()
