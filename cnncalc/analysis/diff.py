"""What changed between two versions of a network: totals and layers matched by name. Pure.

Layers are matched by their (dotted) names. A name only in the new version is `added`, one only in
the old is `removed`, and one in both is `changed` when any of `LAYER_FIELDS` differs. The order
follows the new network, with removed layers placed where they were. A layer whose inputs differ
only because a layer was inserted before it or removed is not changed; rewiring it to another
layer present in both versions is.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from cnncalc.engine import INPUT, TOTAL_FIELDS, LayerReport, Report
from cnncalc.layers import Shape

#: the totals compared, named as in the report's JSON
TOTALS: tuple[str, ...] = TOTAL_FIELDS
#: what makes a layer present in both versions `changed`
LAYER_FIELDS = (
    "op", "inputs", "in_shape", "out_shape", "kernel_shape", "params", "macs", "frozen"
)  # fmt: skip
#: the totals that split `params`: worth a row only when either version freezes a layer
SPLIT_TOTALS = ("trainable_params", "frozen_params")

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Delta:
    """One number, before and after."""

    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def ratio(self) -> Fraction | None:
        """The change relative to the old value; None when the old value is 0 and the new is not."""
        if self.old == 0:
            return Fraction(0) if self.new == 0 else None
        return Fraction(self.delta, self.old)

    def to_dict(self) -> dict[str, object]:
        ratio = self.ratio
        pct = None if ratio is None else round(float(ratio) * 100, 4)
        return {"old": self.old, "new": self.new, "delta": self.delta, "pct": pct}


@dataclass(frozen=True)
class LayerSide:
    """The compared facts of one layer in one version."""

    op: str
    inputs: tuple[str, ...]
    in_shape: Shape
    out_shape: Shape
    kernel_shape: Shape | None
    params: int
    macs: int
    frozen: bool = False

    @classmethod
    def of(cls, row: LayerReport) -> LayerSide:
        return cls(
            row.op,
            row.inputs,
            row.in_shape,
            row.out_shape,
            row.kernel_shape,
            row.params,
            row.macs,
            row.frozen,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "op": self.op,
            "inputs": list(self.inputs),
            "in_shape": list(self.in_shape),
            "out_shape": list(self.out_shape),
            "kernel_shape": None if self.kernel_shape is None else list(self.kernel_shape),
            "params": self.params,
            "macs": self.macs,
            "frozen": self.frozen,
        }


@dataclass(frozen=True)
class LayerChange:
    """A layer added, removed or changed; `fields` names what changed (empty unless changed)."""

    name: str
    change: Change
    old: LayerSide | None
    new: LayerSide | None
    fields: tuple[str, ...] = ()

    @property
    def op(self) -> str:
        side = self.new or self.old
        assert side is not None
        return side.op

    @property
    def params(self) -> Delta:
        return Delta(self.old.params if self.old else 0, self.new.params if self.new else 0)

    @property
    def macs(self) -> Delta:
        return Delta(self.old.macs if self.old else 0, self.new.macs if self.new else 0)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "change": self.change,
            "op": self.op,
            "fields": list(self.fields),
            "old": None if self.old is None else self.old.to_dict(),
            "new": None if self.new is None else self.new.to_dict(),
            "params_delta": self.params.delta,
            "macs_delta": self.macs.delta,
        }


@dataclass(frozen=True)
class Version:
    """Which network a side of the diff is: where it was read from and how it was run."""

    path: str
    name: str
    input: Shape
    output_shape: Shape
    batch: int
    dtype: str

    @classmethod
    def of(cls, path: str, report: Report) -> Version:
        net = report.network
        return cls(path, net.name, net.input_shape, report.output_shape, net.batch, net.dtype)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "name": self.name,
            "input": list(self.input),
            "output_shape": list(self.output_shape),
            "batch": self.batch,
            "dtype": self.dtype,
        }


@dataclass(frozen=True)
class NetworkDiff:
    """The whole comparison: both versions, every total, every layer that differs."""

    old: Version
    new: Version
    totals: Mapping[str, Delta]
    layers: tuple[LayerChange, ...]
    unchanged: int
    #: whether either version freezes any layer
    freezes: bool = False

    @property
    def shown_totals(self) -> tuple[str, ...]:
        """The totals a table shows: all of them, without the trainable/frozen split when
        neither version freezes anything (the JSON always has every total)."""
        return tuple(n for n in self.totals if self.freezes or n not in SPLIT_TOTALS)

    def count(self, change: Change) -> int:
        return sum(1 for c in self.layers if c.change == change)

    @property
    def identical(self) -> bool:
        return not self.layers and all(d.delta == 0 for d in self.totals.values())

    def to_dict(self) -> dict[str, object]:
        """The public JSON contract of `cnncalc diff` (schema 1)."""
        return {
            "schema": 1,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "totals": {name: d.to_dict() for name, d in self.totals.items()},
            "layers": [c.to_dict() for c in self.layers],
            "summary": {
                "added": self.count("added"),
                "removed": self.count("removed"),
                "changed": self.count("changed"),
                "unchanged": self.unchanged,
            },
        }


def _compare(name: str, old: LayerReport, new: LayerReport, common: set[str]) -> LayerChange | None:
    a, b = LayerSide.of(old), LayerSide.of(new)
    fields = [f for f in LAYER_FIELDS if getattr(a, f) != getattr(b, f)]
    if "inputs" in fields and not common.issuperset((*a.inputs, *b.inputs)):
        fields.remove("inputs")  # an inserted or removed producer, reported on its own
    if "frozen" in fields and not (a.params or b.params):
        fields.remove("frozen")  # freezing a layer without parameters changes nothing
    return LayerChange(name, "changed", a, b, tuple(fields)) if fields else None


def diff_reports(old: Report, new: Report, old_path: str = "", new_path: str = "") -> NetworkDiff:
    """Compare two analysed networks."""
    totals = {name: Delta(getattr(old.totals, name), getattr(new.totals, name)) for name in TOTALS}
    old_rows = {r.name: r for r in old.layers}
    new_rows = {r.name: r for r in new.layers}
    old_names = [r.name for r in old.layers]
    new_names = [r.name for r in new.layers]
    common = {*(old_rows.keys() & new_rows.keys()), INPUT}
    changes: list[LayerChange] = []
    unchanged = 0
    matcher = difflib.SequenceMatcher(None, old_names, new_names, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        for name in old_names[i1:i2]:
            if name not in new_rows:
                changes.append(LayerChange(name, "removed", LayerSide.of(old_rows[name]), None))
        for name in new_names[j1:j2]:
            if name not in old_rows:
                changes.append(LayerChange(name, "added", None, LayerSide.of(new_rows[name])))
                continue
            change = _compare(name, old_rows[name], new_rows[name], common)
            if change is None:
                unchanged += 1
            else:
                changes.append(change)
    return NetworkDiff(
        Version.of(old_path, old),
        Version.of(new_path, new),
        totals,
        tuple(changes),
        unchanged,
        any(r.frozen for r in (*old.layers, *new.layers)),
    )
