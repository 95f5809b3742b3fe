"""ONNX model files read as the same `Network` a cnncalc file gives (docs/onnx.md).

The file is parsed with the `onnx` package (the optional extra `cnncalc[onnx]`, imported only
here, only for an `.onnx` input) without the weights stored beside it: counting needs the shapes
(an initializer's `dims`), never the numbers. The steps:

1. parse, check the size and the node count, sort the nodes (a cycle is an error);
2. drop the payload of every large initializer (the shapes stay);
3. at batch 1 and again at batch 2 (or once, at the file's own batch when it fixes one): fix
   the batch, run ONNX's shape inference, fold the small constant subgraphs inference cannot see
   through (`Shape -> Gather -> Concat -> Reshape`, the computed sizes of an exported `chunk`),
   and infer again until nothing more folds;
4. the two runs tell each tensor's batch axis (the axis that doubles): a tensor's per-sample
   shape is its shape at batch 1 without that axis (with a fixed batch: its first axis, which
   must be that batch);
5. each node that reads the input (directly or not) becomes one cnncalc layer per output: the
   counting ops (Conv, ConvTranspose, Gemm, MatMul) and the common ones as cnncalc's own kinds,
   every other known op as a free layer of the shape inference found (`OnnxOp`); an unknown op
   is an error, or, when it keeps its input's shape, a free layer and a note.

Params are the initializers the graph uses, each tensor name once (an initializer read by two
nodes counts once; the `Identity` copies an exporter makes of equal tensors are tensors of their
own, as they were in the model); BatchNorm's running statistics are buffers, not parameters.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnncalc.engine import Network
from cnncalc.errors import CnnCalcError, CnnCalcWarning, LayerArgError, Pos, Source, SpecError
from cnncalc.layers import Shape, fmt_shape, prod
from cnncalc.loader.onnx_build import Builder
from cnncalc.loader.onnx_graph import KEEP_ELEMENTS, MAX_DIM, Shapes, clip, constants, fold, shapes
from cnncalc.loader.source import max_layers

if TYPE_CHECKING:
    from cnncalc.loader.source import OnnxSource

#: the release of the `onnx` package the tests read files with (`cnncalc[onnx]` pins it)
ONNX_VERSION = "1.23.2"
#: ONNX nodes a file may have per layer of the limit (shape arithmetic and constants make a few
#: nodes per layer; 20,000 nodes at the default limit read in about 3 s)
NODES_PER_LAYER = 4
_FOLD_ROUNDS = 12
_INSTALL = 'pip install "cnncalc[onnx]"'


# --- reading ------------------------------------------------------------------------------------


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise CnnCalcError("E0941", install=_INSTALL) from None
    return onnx


class OnnxFile:
    """One load of one ONNX file."""

    def __init__(self, src: OnnxSource, input_shape: Shape | None = None) -> None:
        self.src = src
        self.at = Pos(Source(src.name, ""), 0, 0)
        self.asked = input_shape
        self.onnx = _onnx()
        self.warnings: list[CnnCalcWarning] = []

    def err(self, code: str, **args: object) -> SpecError:
        return SpecError(code, self.at, hint=None, **args)

    # -- 1. parse --------------------------------------------------------------------------------

    def parse(self) -> Any:
        onnx = self.onnx
        model = onnx.ModelProto()
        try:
            model.ParseFromString(self.src.data)
        except Exception as err:  # noqa: BLE001 - protobuf's DecodeError and its relatives
            raise self.err("E0942", reason=clip(str(err) or type(err).__name__)) from None
        graph = model.graph
        if model.ir_version < 3 or not graph.node or not graph.input:
            raise self.err("E0961", ir=model.ir_version, nodes=len(graph.node),
                           inputs=len(graph.input))  # fmt: skip
        limit = max_layers() * NODES_PER_LAYER
        if len(graph.node) > limit:
            raise self.err("E0955", count=f"{len(graph.node):,}", limit=f"{limit:,}")
        for i, node in enumerate(graph.node):
            texts = (node.name, node.op_type, node.domain, *node.input, *node.output)
            if not all(isinstance(t, str) for t in texts):  # protobuf hands bad UTF-8 as bytes
                raise self.err("E0963", index=i)
            if node.domain not in ("", "ai.onnx"):  # a runtime's own ops: their costs unknown
                raise self.err("E0952", op=f"{node.domain}.{node.op_type}", name=node.name or "?")
            if any(a.type in (5, 10, 11, 13) for a in node.attribute):  # GRAPH(S), SPARSE
                raise self.err("E0952", op=node.op_type, name=node.name or "?")
        names = (*graph.input, *graph.output, *graph.initializer, *graph.value_info)
        if not all(isinstance(v.name, str) for v in names):
            raise self.err("E0963", index="-")
        self.sort(graph)
        for init in graph.initializer:
            if prod(tuple(init.dims)) > KEEP_ELEMENTS:
                for f in ("raw_data", "float_data", "int32_data", "int64_data", "double_data"):
                    init.ClearField(f)  # the shape is in `dims`; the numbers are not needed
                init.ClearField("external_data")
                init.data_location = 0
        return model

    def sort(self, graph: Any) -> None:
        """The nodes in an order where every tensor is made before it is read (ONNX requires
        it; a file that breaks it is sorted, a cycle is an error)."""
        known = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
        made: dict[str, int] = {}
        for i, node in enumerate(graph.node):
            for out in node.output:
                if out in made or out in known:
                    raise self.err("E0953", name=node.name or f"#{i}", tensor=clip(out))
                if out:
                    made[out] = i
        waiting = [0] * len(graph.node)
        readers: dict[int, list[int]] = {}
        for i, node in enumerate(graph.node):
            for name in dict.fromkeys(node.input):
                if name in known:
                    continue
                if name not in made:
                    raise self.err("E0954", name=node.name or f"#{i}", tensor=clip(name))
                waiting[i] += 1
                readers.setdefault(made[name], []).append(i)
        ready = [i for i, w in enumerate(waiting) if w == 0]  # a heap: the file's order kept
        order: list[int] = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for j in readers.get(i, ()):
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, j)
        if len(order) < len(graph.node):
            stuck = next(i for i, w in enumerate(waiting) if w)
            raise self.err("E0948", name=graph.node[stuck].name or f"#{stuck}")
        if order != sorted(order):
            nodes = [graph.node[i] for i in order]
            copies = [type(n)() for n in nodes]
            for c, n in zip(copies, nodes):
                c.CopyFrom(n)
            del graph.node[:]
            graph.node.extend(copies)

    # -- 3. inference and folding ----------------------------------------------------------------

    def input_dims(self, graph: Any) -> tuple[Any, Shape, int | None]:
        """The graph input, its per-sample shape, and its batch when the file fixes one."""
        inits = {t.name for t in graph.initializer}
        inputs = [i for i in graph.input if i.name not in inits]
        if len(inputs) != 1:
            names = ", ".join(clip(i.name, 40) for i in inputs[:8])
            raise self.err("E0943", count=len(inputs), names=names)
        x = inputs[0]
        dims = [d.dim_value if d.HasField("dim_value") else None for d in _dims(x)]
        if len(dims) < 2:
            raise self.err("E0944", name=clip(x.name), shape=_shape_text(dims))
        rest = tuple(dims[1:])
        if self.asked is not None:
            if len(self.asked) != len(rest):
                raise self.err("E0945", asked=fmt_shape(self.asked), shape=_shape_text(dims))
            rest = self.asked
        missing = [i + 1 for i, d in enumerate(rest) if d is None or d < 1]
        if missing:
            raise self.err("E0946", name=clip(x.name), shape=_shape_text(dims), axis=missing[0])
        big = [d for d in (dims[0], *rest) if d is not None and d > MAX_DIM]
        if big:
            raise self.err("E0947", value=f"{big[0]:,}", limit=f"{MAX_DIM:,}")
        fixed = dims[0] if dims[0] is not None and dims[0] > 0 else None
        return x, tuple(int(d) for d in rest if d is not None), fixed

    def infer(self, model: Any, x_name: str, shape: Shape, batch: int) -> tuple[Any, Shapes]:
        """The model at `batch`, folded, and every tensor's shape (None where unknown)."""
        onnx = self.onnx
        m = onnx.ModelProto()
        m.CopyFrom(model)
        g = m.graph
        for i in g.input:
            if i.name == x_name:
                tt = i.type.tensor_type
                tt.shape.ClearField("dim")
                for v in (batch, *shape):
                    tt.shape.dim.add().dim_value = v
        del g.value_info[:]
        for o in g.output:
            o.type.tensor_type.ClearField("shape")
        consts = constants(g)
        for _ in range(_FOLD_ROUNDS):
            try:
                m = onnx.shape_inference.infer_shapes(m, data_prop=True)
            except Exception as err:  # noqa: BLE001 - InferenceError, and the C++ side's others
                raise self.err("E0950", reason=clip(str(err).strip().splitlines()[-1])) from None
            found = shapes(m.graph)
            if not fold(m.graph, found, consts):
                return m, found
        return m, shapes(m.graph)

    # -- 4., 5. the network ----------------------------------------------------------------------

    def load(self) -> Network:
        model = self.parse()
        x, shape, fixed = self.input_dims(model.graph)
        if fixed is not None:  # the exporter may have written the batch into reshapes: keep it
            m, s = self.infer(model, x.name, shape, fixed)
            return Builder(self, m, s, None, x.name, shape, fixed).build()
        m1, s1 = self.infer(model, x.name, shape, 1)
        _, s2 = self.infer(model, x.name, shape, 2)
        return Builder(self, m1, s1, s2, x.name, shape).build()


def _dims(value_info: Any) -> Sequence[Any]:
    return tuple(value_info.type.tensor_type.shape.dim)


def _shape_text(dims: Sequence[int | None]) -> str:
    return "x".join("?" if d is None else str(d) for d in dims)


def load_onnx(src: OnnxSource, input_shape: Shape | None = None) -> Network:
    """The network of an ONNX file (`input_shape`: the per-sample input instead of the
    file's)."""
    try:
        return OnnxFile(src, input_shape).load()
    except LayerArgError as err:  # a kind that refuses what the file says: say where
        raise SpecError("E0959", Pos(Source(src.name, ""), 0, 0), op="?", name="?",
                        reason=clip(err.text("en"))) from None  # fmt: skip
