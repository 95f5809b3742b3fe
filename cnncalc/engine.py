"""The engine: a canonical network (a topologically ordered DAG of named layers) in, a report out.

It never reads files, prints or keeps state. Counting conventions (docs/counting.md): params are
learnable parameters only; MACs come from conv, transposed conv and linear layers, bias excluded;
FLOPs = 2 × MACs; shapes are per sample; `batch` multiplies MACs, FLOPs and activation memory.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from cnncalc.errors import CnnCalcError, CnnCalcWarning, LayerArgError, Msg, Pos, ShapeError
from cnncalc.layers import (
    RF,
    AxisRF,
    Layer,
    Layout,
    Merge,
    Num,
    Shape,
    Upsample,
    check_layout,
    prod,
)
from cnncalc.messages.en import CONVENTION
from cnncalc.messages.numbers import rf_text
from cnncalc.records import frozen

DTYPE_BYTES: Mapping[str, int] = MappingProxyType(
    {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
)
FLOPS_PER_MAC = 2
INPUT = "input"

_EMPTY: Mapping[str, Pos] = MappingProxyType({})


@frozen
class Node:
    """One layer of the canonical form: a unique (dotted) name, the op as the user wrote it, the
    layer object, the names of its inputs, and where it came from.

    `frozen`: its parameters take no gradient (`frozen: true` on it or on a block, repeat or
    structure around it; PyTorch's `requires_grad_(False)`). `generated`: a front end made it
    for the user (the 1×1 conv and bn of `shortcut: auto`), so advice does not blame the user
    for it."""

    name: str
    op: str
    layer: Layer | Merge
    inputs: tuple[str, ...]
    pos: Pos | None = None
    arg_pos: Mapping[str, Pos] = _EMPTY
    frozen: bool = False
    generated: bool = False


@frozen
class BlockCall:
    """One block call of a network: the dotted name its layers share (`layer2.0`), the block
    definition it called (`basic`), and the values its parameters took, where they are plain
    numbers, booleans or words (`cin` is the input's channels). Exporters read it to write one
    class per block definition; no count depends on it."""

    name: str
    block: str
    args: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Network:
    """The canonical form the loader produces and the engine consumes."""

    input_shape: Shape
    nodes: tuple[Node, ...]
    outputs: tuple[str, ...] = ()
    name: str = ""
    batch: int = 1
    dtype: str = "float32"
    input_pos: Pos | None = None
    budget: Mapping[str, object] = field(default_factory=dict)  # name -> budget.Limit
    #: the words of the file's `lint: {ignore: [...]}`, each where it was written
    lint_ignore: tuple[tuple[str, Pos], ...] = ()
    #: the format the file was read from: "" for cnncalc's, "ultralytics" for a YOLO model file
    front: str = ""
    #: a front end's names for its blocks, shown in place of "block" (`model.2` -> `C2f`)
    block_ops: Mapping[str, str] = field(default_factory=dict)
    #: the block calls the layers came from, in the order they were made (`BlockCall`)
    calls: tuple[BlockCall, ...] = field(default=(), compare=False, repr=False)
    #: what a front end inferred while building the nodes (`Graph.inferred`), reused by
    #: `analyze_network` when it still describes this network
    inferred: Inference | None = field(default=None, compare=False, repr=False)


@frozen
class LayerReport:
    """Every number of one layer. `macs`, `flops` and `out_bytes` include the batch."""

    name: str
    op: str
    inputs: tuple[str, ...]
    in_shapes: tuple[Shape, ...]
    out_shape: Shape
    kernel_shape: Shape | None
    params: int
    macs: int
    flops: int
    out_bytes: int
    rf: RF
    node: Node
    #: where the output's channels are (`layers.Layout`): None for channels first
    layout: Layout = None

    @property
    def in_shape(self) -> Shape:
        return self.in_shapes[0]

    @property
    def frozen(self) -> bool:
        return self.node.frozen

    @property
    def trainable_params(self) -> int:
        """The parameters that take a gradient: all of them, or none when frozen."""
        return 0 if self.node.frozen else self.params


#: the network totals, named as in the JSON report
TOTAL_FIELDS = (
    "params",
    "trainable_params",
    "frozen_params",
    "macs",
    "flops",
    "param_bytes",
    "peak_activation_bytes",
)


@frozen
class Totals:
    """`params` = `trainable_params` + `frozen_params` (the parameters of frozen layers)."""

    params: int
    trainable_params: int
    frozen_params: int
    macs: int
    flops: int
    param_bytes: int
    peak_activation_bytes: int


@frozen
class Block:
    """A block call, repeat copy or shortcut: the layers whose dotted names share `name.` and
    sit together in the order (`layers[start:end]`), with their subtotals."""

    name: str
    level: int
    start: int
    end: int
    params: int
    macs: int
    flops: int
    out_shape: Shape

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "layers": self.end - self.start,
            "params": self.params,
            "macs": self.macs,
            "flops": self.flops,
            "out_shape": list(self.out_shape),
        }


def find_blocks(rows: Sequence[LayerReport]) -> tuple[Block, ...]:
    """Every dotted prefix of the layer names, as contiguous runs, outermost first."""
    found: list[Block] = []
    open_at: dict[str, int] = {}  # prefix -> index of its first layer

    def close(prefix: str, end: int) -> None:
        start = open_at.pop(prefix)
        part = rows[start:end]
        macs = sum(r.macs for r in part)
        found.append(
            Block(
                prefix,
                prefix.count(".") + 1,
                start,
                end,
                sum(r.params for r in part),
                macs,
                FLOPS_PER_MAC * macs,
                part[-1].out_shape,
            )
        )

    for i, row in enumerate(rows):
        parts = row.name.split(".")
        prefixes = [".".join(parts[:n]) for n in range(1, len(parts))]
        for prefix in [p for p in open_at if p not in prefixes]:
            close(prefix, i)
        for prefix in prefixes:
            open_at.setdefault(prefix, i)
    for prefix in list(open_at):
        close(prefix, len(rows))
    return tuple(sorted(found, key=lambda b: (b.start, b.level)))


@frozen
class Report:
    """The result of `analyze`: per-layer numbers, totals, and the network they describe."""

    network: Network
    layers: tuple[LayerReport, ...]
    totals: Totals
    output_shapes: tuple[Shape, ...]
    warnings: tuple[CnnCalcWarning, ...] = ()
    #: the outputs' names (`outputs:`, else the last layer; `input` for an empty network) and
    #: their receptive fields
    output_names: tuple[str, ...] = ()
    output_rfs: tuple[RF, ...] = ()

    @property
    def output_shape(self) -> Shape:
        return self.output_shapes[0]

    @functools.cached_property
    def blocks(self) -> tuple[Block, ...]:
        return find_blocks(self.layers)

    def layer(self, name: str) -> LayerReport:
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        """The public JSON contract (schema 1)."""
        net = self.network
        out: dict[str, object] = {
            "schema": 1,
            "name": net.name,
            "input": list(net.input_shape),
            "batch": net.batch,
            "dtype": net.dtype,
            "convention": CONVENTION,
            "layers": [_layer_dict(r) for r in self.layers],
            "totals": {name: getattr(self.totals, name) for name in TOTAL_FIELDS},
            "output_shape": list(self.output_shape),
            "blocks": [b.to_dict() for b in self.blocks],
        }
        if len(self.output_shapes) > 1:
            out["outputs"] = [
                {"name": n, "shape": list(s)} for n, s in zip(net.outputs, self.output_shapes)
            ]
        if self.warnings:
            out["warnings"] = [w.render() for w in self.warnings]
        return out


def rf_number(v: Num) -> int | float:
    """A receptive-field number as JSON shows it: an integer when whole."""
    # past 2**53 a float holds no fraction anyway, and past 1e308 it overflows: round to int
    return int(v) if v.denominator == 1 or abs(Fraction(v)) > 2**53 else float(v)


def _layer_dict(r: LayerReport) -> dict[str, object]:
    d: dict[str, object] = {
        "name": r.name,
        "op": r.op,
        "inputs": list(r.inputs),
        "in_shape": list(r.in_shape),
        "out_shape": list(r.out_shape),
        "kernel_shape": None if r.kernel_shape is None else list(r.kernel_shape),
        "params": r.params,
        "frozen": r.node.frozen,
        "macs": r.macs,
        "flops": r.flops,
        "out_bytes": r.out_bytes,
        "rf": {
            "size": [rf_number(a.size) for a in r.rf],
            "jump": [rf_number(a.jump) for a in r.rf],
            "global": any(a.glob for a in r.rf),
        },
    }
    if len(r.in_shapes) > 1:
        d["in_shapes"] = [list(s) for s in r.in_shapes]
    return d


def origin_msg(name: str, producers: Mapping[str, Node]) -> Msg:
    """Where a tensor comes from, for messages: `'conv1', line 3` or `the network input`."""
    src = producers.get(name)
    if src is None:
        return Msg("N0502") if name == INPUT else Msg("N0504", name=name)
    if src.pos is None:
        return Msg("N0504", name=src.name)
    return Msg("N0503", name=src.name, line=src.pos.line)


def origin(name: str, producers: Mapping[str, Node]) -> str:
    """`origin_msg` in English, for messages still written as sentences."""
    return origin_msg(name, producers).text()


class NodeError(ShapeError):
    """A layer's error located at its node: the layer's own code, arguments and hint, its
    message framed by the node's op and name (and, for a wrong `in`, by where the input
    comes from), so that the first line carries the code of the real problem."""

    def __init__(self, err: LayerArgError, pos: Pos | None, frame: Msg) -> None:
        super().__init__(err.code, pos, hint=err._hint, **err.args_)
        self.frame = frame

    def text(self, lang: str = "en") -> str:
        return self.frame.text(lang)


def _locate(err: LayerArgError, node: Node, producers: Mapping[str, Node]) -> CnnCalcError:
    pos = node.arg_pos.get(err.arg or "", node.pos) if err.arg else node.pos
    inner = Msg(err.code, **err.args_)
    if err.arg == "in" and node.inputs:
        src = origin_msg(node.inputs[0], producers)
        frame = Msg("N0501", op=node.op, name=node.name, rest=inner, src=src)
    else:
        frame = Msg("N0500", op=node.op, name=node.name, rest=inner)
    return NodeError(err, pos, frame)


def _broadcast(a: AxisRF) -> bool:
    """A path with no positions to align: one wide (a squeeze-excite gate), or whole-input
    context brought back to the map's size (an image-pool branch)."""
    return a.extent == 1 or a.whole


def _merge_axis(axis: Sequence[AxisRF]) -> AxisRF:
    """One axis of a merge: the widest local field of the spatial paths, marked `glob` when a
    broadcast path (or an input already marked) brings global context in."""
    spatial = [a for a in axis if not _broadcast(a)]
    if not spatial:  # every path is a broadcast: the widest of them
        widest = max(axis, key=lambda a: a.size)
        glob = any(a.glob for a in axis) and not widest.whole
        return AxisRF(widest.size, widest.jump, widest.center, widest.extent, widest.whole, glob)
    widest = max(spatial, key=lambda a: a.size)
    glob = len(spatial) < len(axis) or any(a.glob for a in spatial)
    return AxisRF(widest.size, widest.jump, widest.center, widest.extent, False, glob)


def _merge_rf(node: Node, rfs: Sequence[RF], warnings: list[CnnCalcWarning]) -> RF:
    """Per axis, the widest spatial input's local field (`_merge_axis`); one warning when the
    spatial paths do not line up. A broadcast path aligns with anything."""
    out: list[AxisRF] = []
    skewed: list[list[AxisRF]] = []
    for axis in zip(*rfs):
        out.append(_merge_axis(axis))
        spatial = [a for a in axis if not _broadcast(a)]
        if len({(a.jump, a.center) for a in spatial}) > 1:
            skewed.append(spatial)
    if skewed:
        first = skewed[0]
        warnings.append(
            CnnCalcWarning(
                "W0501",
                node.pos,
                op=node.op,
                name=node.name,
                jumps=", ".join(rf_text(a.jump) for a in first),
                centres=", ".join(rf_text(a.center) for a in first),
            )
        )
    return tuple(out)


def analyze_network(net: Network) -> Report:
    """Compute every layer's shapes and costs and the network totals."""
    if net.dtype not in DTYPE_BYTES:
        raise CnnCalcError("E0500", net.input_pos, dtype=net.dtype, dtypes=", ".join(DTYPE_BYTES))
    elem = DTYPE_BYTES[net.dtype]
    batch = net.batch
    inferred = net.inferred
    if inferred is None or not inferred.describes(net):
        graph = Graph(net.input_shape)
        for node in net.nodes:
            graph.add(node)
        inferred = graph.inferred()
    shapes = inferred.shapes
    rows = [
        LayerReport(
            name=node.name,
            op=node.op,
            inputs=node.inputs,
            in_shapes=tuple(shapes[i] for i in node.inputs),
            out_shape=shapes[node.name],
            kernel_shape=row.kernel_shape,
            params=row.params,
            macs=row.macs * batch,
            flops=FLOPS_PER_MAC * row.macs * batch,
            out_bytes=prod(shapes[node.name]) * elem * batch,
            rf=row.rf,
            node=node,
            layout=inferred.layouts.get(node.name),
        )
        for node, row in zip(net.nodes, inferred.rows)
    ]
    rfs = inferred.rfs
    outputs = net.outputs or ((net.nodes[-1].name,) if net.nodes else (INPUT,))
    total_params = sum(r.params for r in rows)
    frozen_params = sum(r.params for r in rows if r.node.frozen)
    total_macs = sum(r.macs for r in rows)
    return Report(
        network=net,
        layers=tuple(rows),
        totals=Totals(
            params=total_params,
            trainable_params=total_params - frozen_params,
            frozen_params=frozen_params,
            macs=total_macs,
            flops=FLOPS_PER_MAC * total_macs,
            param_bytes=total_params * elem,
            peak_activation_bytes=peak_activation_bytes(net, rows, elem * batch, outputs),
        ),
        output_shapes=tuple(shapes[o] for o in outputs),
        warnings=inferred.warnings,
        output_names=tuple(outputs),
        output_rfs=tuple(rfs[o] for o in outputs),
    )


def peak_activation_bytes(
    net: Network, rows: Sequence[LayerReport], elem: int, outputs: Sequence[str]
) -> int:
    """Most bytes alive at once in topological order. A tensor (the input included) lives from
    its producer to its last consumer; outputs live to the end; every layer writes a new tensor,
    and a layer's scratch (attention's scores) is alive while it runs."""
    last_use: dict[str, int] = {INPUT: -1}
    for i, node in enumerate(net.nodes):
        for name in node.inputs:
            last_use[name] = i
        last_use.setdefault(node.name, i)
    end = len(net.nodes)
    for name in outputs:
        last_use[name] = end
    size = {INPUT: prod(net.input_shape) * elem}
    alive = size[INPUT]
    peak = alive
    dying: dict[int, list[str]] = {}
    for name, i in last_use.items():
        dying.setdefault(i, []).append(name)
    for i, row in enumerate(rows):
        size[row.name] = row.out_bytes
        alive += row.out_bytes
        layer = row.node.layer
        scratch = 0 if isinstance(layer, Merge) else layer.scratch(row.in_shape) * elem
        peak = max(peak, alive + scratch)
        for name in dying.get(i, ()):
            alive -= size[name]
    return peak


class NodeFigures(NamedTuple):
    """One node's per-sample numbers, as `Graph.add` found them (a tuple: one per node, made
    on the loader's hot path)."""

    kernel_shape: Shape | None
    params: int
    macs: int
    rf: RF


@dataclass(frozen=True)
class Inference:
    """What a `Graph` inferred: every tensor's shape and every node's per-sample numbers, for
    the nodes it was given (checked by identity) on the input shape it started from."""

    input_shape: Shape
    nodes: tuple[Node, ...]
    shapes: Mapping[str, Shape]
    rfs: Mapping[str, RF]
    rows: tuple[NodeFigures, ...]
    warnings: tuple[CnnCalcWarning, ...]
    layouts: Mapping[str, Layout] = field(default_factory=dict)

    def describes(self, net: Network) -> bool:
        return net.nodes is self.nodes and net.input_shape == self.input_shape


class Graph:
    """A network being built one node at a time: `add` infers the node's shape, costs and
    receptive field, once, so that a front end can ask for shapes while it expands (`cin`,
    `shortcut: auto`) and `analyze_network` reuses the answers."""

    def __init__(self, input_shape: Shape) -> None:
        self.input_shape = input_shape
        self.shapes: dict[str, Shape] = {INPUT: input_shape}
        self.n_axes = len(input_shape) - 1
        start: RF = tuple(AxisRF(extent=e) for e in input_shape[1:]) if self.n_axes > 0 else ()
        self.rfs: dict[str, RF] = {INPUT: start}
        #: the layout of every tensor that is not channels first (`layers.Layout`)
        self.layouts: dict[str, Layout] = {}
        self.producers: dict[str, Node] = {}
        self.nodes: list[Node] = []
        self.rows: list[NodeFigures] = []
        self.warnings: list[CnnCalcWarning] = []

    def add(self, node: Node) -> Shape:
        """Infer `node` (whose inputs are added already) and record it; its output shape."""
        ins = [self.shapes[i] for i in node.inputs]
        layer = node.layer
        layout = self.layouts.get(node.inputs[0])
        try:
            if isinstance(layer, Merge):
                out = layer.out_shape_many(ins)
                rf = _merge_rf(node, [self.rfs[i] for i in node.inputs], self.warnings)
                params, macs = 0, layer.macs_many(ins)
                kshape = None
            else:
                if isinstance(layer, Upsample) and layer.size_of is not None:
                    layer = layer.sized(self.shapes[layer.size_of])  # another tensor's size
                if layer.reads:
                    check_layout(layer, ins[0], layout)
                out, params, macs, kshape, rf = layer.cost(ins[0], self.rfs[node.inputs[0]])
                layout = layer.out_layout(ins[0], out, layout) if len(out) > 1 else None
        except LayerArgError as err:
            raise _locate(err, node, self.producers) from None
        n_axes = self.n_axes
        if layout is not None and len(layout) == len(out):  # the channels-first sizes
            grid = tuple(out[layout.index(i)] for i in range(len(out)))
        else:
            grid = out if layout is None else ()
        if n_axes and len(grid) - 1 == n_axes and any(a.extent != e for a, e in zip(rf, grid[1:])):
            rf = tuple(a.at_extent(e) for a, e in zip(rf, grid[1:]))
        if layout is not None:
            self.layouts[node.name] = layout
        self.shapes[node.name] = out
        self.rfs[node.name] = rf
        self.producers[node.name] = node
        self.nodes.append(node)
        self.rows.append(NodeFigures(kshape, params, macs, rf))
        return out

    def channels(self, name: str) -> int:
        """A tensor's channels: its first axis, or where a permute moved them (the features of a
        token sequence are its last axis)."""
        shape, layout = self.shapes[name], self.layouts.get(name)
        return shape[layout.index(0)] if layout else shape[0]

    def inferred(self) -> Inference:
        """The record of everything added, for `Network(nodes=result.nodes, inferred=result)`."""
        return Inference(self.input_shape, tuple(self.nodes), MappingProxyType(self.shapes),
                         MappingProxyType(self.rfs), tuple(self.rows),
                         tuple(self.warnings), MappingProxyType(self.layouts))  # fmt: skip


def tensor_shapes(report: Report) -> dict[str, Shape]:
    """Every tensor's shape by name: the network input and each layer's output."""
    shapes = {r.name: r.out_shape for r in report.layers}
    shapes[INPUT] = report.network.input_shape
    return shapes


def block_inputs(
    report: Report, block: Block, shapes: Mapping[str, Shape] | None = None
) -> tuple[Shape, ...]:
    """The shapes of what a block reads from outside itself (its inputs), in reading order;
    `shapes` is `tensor_shapes(report)`, when the caller asks for many blocks."""
    rows = report.layers[block.start : block.end]
    inside = {r.name for r in rows}
    entering = dict.fromkeys(i for r in rows for i in r.inputs if i not in inside)
    known = tensor_shapes(report) if shapes is None else shapes
    return tuple(known[i] for i in entering)
