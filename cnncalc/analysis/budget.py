"""Budget evaluation: a report and its limits in, a verdict per budget out. Pure: no I/O.

What each budget measures is said once, in `MEASURES` (keyed like `quantities.BUDGETS`). Limits come
from the file's `budget:` section and from the command line; a command-line limit replaces the
file's limit of the same name, as `--batch` and `--dtype` replace the file's values.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from cnncalc.analysis.memory import DEFAULT_OPTIMIZER, Setup, precision
from cnncalc.engine import DTYPE_BYTES, Network, Report, analyze_network
from cnncalc.errors import CnnCalcError, Pos
from cnncalc.quantities import BUDGETS, Limit, Unit, UnitError, parse_quantity

Used = int | Fraction


def cli_option(name: str) -> str:
    """The `check` option that sets budget `name`: `--max-param-bytes`, `--min-rf`."""
    return ("--min-" if BUDGETS[name][2] else "--max-") + name.replace("_", "-")


def _output_rf(report: Report) -> Used:
    """The receptive field of the (first) output: the largest per-axis size."""
    net = report.network
    name, rf = report.output_names[0], report.output_rfs[0]
    if not rf:
        raise CnnCalcError("E0608", net.input_pos, name=name)
    return max(axis.size for axis in rf)


#: budget name -> what it measures in a report (batch and dtype included, as the report has them)
MEASURES: Mapping[str, Callable[[Report], Used]] = MappingProxyType(
    {
        "params": lambda r: r.totals.params,
        "macs": lambda r: r.totals.macs,
        "flops": lambda r: r.totals.flops,
        "param_bytes": lambda r: r.totals.param_bytes,
        "activations": lambda r: r.totals.peak_activation_bytes,
        "layer_params": lambda r: max((row.params for row in r.layers), default=0),
        "rf": _output_rf,
        "trainable_params": lambda r: r.totals.trainable_params,
    }
)


def _train_flops(report: Report, setup: Setup) -> Used:
    """Forward + backward FLOPs of one step at the report's batch (any dtype counts alike)."""
    from cnncalc.analysis.train import training

    return report.totals.flops + training(report, dtype=setup.precision.compute).backward_flops


def _train_memory(report: Report, setup: Setup) -> Used:
    from cnncalc.analysis.memory import memory_at

    return memory_at(report, setup, report.network.batch).total


#: the budgets of a training step: they also depend on the optimizer and precision (`Setup`)
TRAIN_MEASURES: Mapping[str, Callable[[Report, Setup], Used]] = MappingProxyType(
    {"train_flops": _train_flops, "train_memory": _train_memory}
)


def train_setup(report: Report, setup: Setup | None) -> Setup:
    """The setup given, else AdamW in the report's dtype (an error for int8)."""
    if setup is not None:
        return setup
    return Setup(DEFAULT_OPTIMIZER, precision(report.network.dtype))


@dataclass(frozen=True)
class BudgetResult:
    """One budget of one file: what the network uses against its limit."""

    name: str
    used: Used
    limit: int
    pos: Pos | None  # where the limit is written; None: on the command line

    @property
    def unit(self) -> Unit:
        return BUDGETS[self.name][0]

    @property
    def what(self) -> str:
        return BUDGETS[self.name][1]

    @property
    def is_minimum(self) -> bool:
        return BUDGETS[self.name][2]

    @property
    def source(self) -> Literal["file", "cli"]:
        return "cli" if self.pos is None else "file"

    @property
    def passed(self) -> bool:
        return self.used >= self.limit if self.is_minimum else self.used <= self.limit

    @property
    def headroom(self) -> Fraction | None:
        """Room left as a fraction of the limit (negative: over it); None for a zero limit."""
        if self.limit == 0:
            return None
        room = self.used - self.limit if self.is_minimum else self.limit - self.used
        return Fraction(room) / self.limit

    @property
    def origin(self) -> str:
        """Where the limit comes from, for messages: `line 7` or `--max-params`."""
        return cli_option(self.name) if self.pos is None else f"line {self.pos.line}"


@dataclass(frozen=True)
class FileResult:
    """Every budget of one file; `budgets` is empty when the file has none to check."""

    path: str
    name: str
    budgets: tuple[BudgetResult, ...]

    @property
    def checked(self) -> bool:
        return bool(self.budgets)

    @property
    def passed(self) -> bool:
        return all(b.passed for b in self.budgets)

    @property
    def failures(self) -> tuple[BudgetResult, ...]:
        return tuple(b for b in self.budgets if not b.passed)


@dataclass(frozen=True)
class CheckResult:
    """The verdict over all files: passed when no budget of any file is exceeded."""

    files: tuple[FileResult, ...]

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.files)

    @property
    def budgets(self) -> tuple[BudgetResult, ...]:
        return tuple(b for f in self.files for b in f.budgets)

    @property
    def failures(self) -> tuple[BudgetResult, ...]:
        return tuple(b for b in self.budgets if not b.passed)


def parse_cli_limits(values: Mapping[str, str | None]) -> dict[str, Limit]:
    """Budget name -> quantity text from the command line (None: not given) into limits."""
    out: dict[str, Limit] = {}
    for name, text in values.items():
        if text is None:
            continue
        try:
            out[name] = Limit(name, parse_quantity(text, BUDGETS[name][0]))
        except UnitError as err:
            example = "12M" if BUDGETS[name][0] == "count" else "64MiB"
            raise CnnCalcError(
                "E0605", option=cli_option(name), problem=err.msg, example=example
            ) from None
    return out


def configure(net: Network, batch: int | None = None, dtype: str | None = None) -> Network:
    """The network with the command line's `--batch` and `--dtype` in place of the file's."""
    if dtype is not None and dtype not in DTYPE_BYTES:
        raise CnnCalcError("E0606", dtype=dtype, dtypes=", ".join(DTYPE_BYTES))
    if batch is not None and batch < 1:
        raise CnnCalcError("E0607", batch=batch)
    return dataclasses.replace(
        net,
        batch=net.batch if batch is None else batch,
        dtype=net.dtype if dtype is None else dtype,
    )


def limits_for(net: Network, cli: Mapping[str, Limit]) -> tuple[Limit, ...]:
    """The file's limits overridden by the command line's, in the order of `BUDGETS`."""
    merged: dict[str, object] = {**net.budget, **cli}
    out = []
    for name in BUDGETS:
        limit = merged.get(name)
        if limit is not None:
            assert isinstance(limit, Limit)
            out.append(limit)
    return tuple(out)


def evaluate(
    report: Report, limits: Sequence[Limit], setup: Setup | None = None
) -> tuple[BudgetResult, ...]:
    """Measure each limited quantity of `report` and compare it with its limit; the training
    budgets for `setup` (AdamW in the report's dtype when not given)."""
    out = []
    for limit in limits:
        train = TRAIN_MEASURES.get(limit.name)
        if train is not None:
            used = train(report, train_setup(report, setup))
        else:
            used = MEASURES[limit.name](report)
        out.append(BudgetResult(limit.name, used, limit.limit, limit.pos))
    return tuple(out)


def check_report(
    report: Report,
    path: str,
    cli: Mapping[str, Limit] | None = None,
    setup: Setup | None = None,
) -> FileResult:
    """Check every budget that applies to an analysed network (the training budgets for
    `setup`)."""
    net = report.network
    return FileResult(path, net.name, evaluate(report, limits_for(net, cli or {}), setup))


def check_network(
    net: Network,
    path: str,
    cli: Mapping[str, Limit] | None = None,
    batch: int | None = None,
    dtype: str | None = None,
) -> FileResult:
    """Analyse `net` (with the overrides) and check every budget that applies to it."""
    if not limits_for(net, cli or {}):
        return FileResult(path, net.name, ())
    return check_report(analyze_network(configure(net, batch, dtype)), path, cli)


_BUDGET_LINE = re.compile(r"^budget[ \t]*:", re.MULTILINE)


def declares_budget(text: str) -> bool:
    """Whether a file has a top-level `budget:` key, judged from its text alone, so that any YAML
    file (a workflow, a config) can be asked without being loaded as a network."""
    return _BUDGET_LINE.search(text) is not None
