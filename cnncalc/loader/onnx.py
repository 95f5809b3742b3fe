"""ONNX model files read as the same `Network` a cnncalc file gives (docs/onnx.md).

The file is parsed with the `onnx` package (the optional extra `cnncalc[onnx]`, imported only
here, only for an `.onnx` input) without the weights stored beside it: counting needs the shapes
(an initializer's `dims`), never the numbers. The steps:

1. parse, check the size and the node count, sort the nodes (a cycle is an error);
2. drop the payload of every large initializer (the shapes stay);
3. at batch 1 and again at batch 2: fix the batch, run ONNX's shape inference, fold the small
   constant subgraphs inference cannot see through (`Shape -> Gather -> Concat -> Reshape`, the
   computed sizes of an exported `chunk`), and infer again until nothing more folds;
4. the two runs tell each tensor's batch axis (the axis that doubles): a tensor's per-sample
   shape is its shape at batch 1 without that axis;
5. each node that reads the input (directly or not) becomes one cnncalc layer per output: the
   counting ops (Conv, ConvTranspose, Gemm, MatMul) and the common ones as cnncalc's own kinds,
   every other known op as a free layer of the shape inference found (`OnnxOp`); an unknown op
   is an error, or, when it keeps its input's shape, a free layer and a note.

Params are the initializers the graph uses, each tensor name once (an initializer read by two
nodes counts once; the `Identity` copies an exporter makes of equal tensors are tensors of their
own, as they were in the model); BatchNorm's running statistics are buffers, not parameters.
"""

from __future__ import annotations

import dataclasses
import heapq
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc.engine import INPUT, Graph, Network, Node, NodeFigures
from cnncalc.errors import CnnCalcError, CnnCalcWarning, LayerArgError, Pos, Source, SpecError
from cnncalc.layers import (
    KINDS,
    RF,
    Activation,
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    AvgPool,
    BatchNorm,
    Concat,
    Conv,
    ConvTranspose,
    Dropout,
    Flatten,
    Identity,
    InstanceNorm,
    Layer,
    LayerNormLast,
    Layout,
    Linear,
    Matmul,
    MaxPool,
    Merge,
    Mul,
    Shape,
    Upsample,
    fmt_shape,
    prod,
)
from cnncalc.layers import Add as AddMerge
from cnncalc.loader.source import MAX_NAME, max_layers
from cnncalc.records import frozen

if TYPE_CHECKING:
    from cnncalc.loader.source import OnnxSource

#: the release of the `onnx` package the tests read files with (`cnncalc[onnx]` pins it)
ONNX_VERSION = "1.23.2"
#: the largest size an axis may declare (the graph input, or any inferred tensor)
MAX_DIM = 2**31 - 1
#: ONNX nodes a file may have per layer of the limit (shape arithmetic and constants make a few
#: nodes per layer; 20,000 nodes at the default limit read in about 3 s)
NODES_PER_LAYER = 4
#: initializers above this many elements lose their payload before inference (only `dims` count)
_KEEP_ELEMENTS = 4096
#: the most elements one folded constant may have (shape arithmetic is a few numbers)
_FOLD_ELEMENTS = 100_000
_FOLD_ROUNDS = 12
_INSTALL = 'pip install "cnncalc[onnx]"'

#: ops that compute and hold no weights of their own (their initializers, if any, still count)
_FREE_OPS = frozenset(
    """Abs Acos Acosh And ArgMax ArgMin Asin Asinh Atan Atanh BitShift Cast CastLike Ceil Celu
    Clip Compress Concat ConstantOfShape Cos Cosh CumSum DepthToSpace Div Dropout Elu Equal Erf
    Exp Expand EyeLike Flatten Floor Gather GatherElements GatherND Gelu Greater GreaterOrEqual
    HardSigmoid HardSwish Hardmax Identity IsInf IsNaN LeakyRelu Less LessOrEqual Log LogSoftmax
    Max Mean Min Mish Mod Mul Neg Not OneHot Or Pad Pow Range Reciprocal ReduceL1 ReduceL2
    ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum
    ReduceSumSquare Relu Reshape Resize Round ScatterElements ScatterND Selu Shape Shrink Sigmoid
    Sign Sin Sinh Size Slice Softmax Softplus Softsign SpaceToDepth Split Sqrt Squeeze Sub Sum
    Tan Tanh ThresholdedRelu Tile TopK Transpose Trilu Unsqueeze Upsample Where Xor Add
    MaxPool AveragePool GlobalAveragePool GlobalMaxPool LpPool BatchNormalization
    LayerNormalization InstanceNormalization GroupNormalization PRelu LRN Einsum""".split()
)
#: ops whose MACs cnncalc counts
_COUNTED_OPS = frozenset({"Conv", "ConvTranspose", "Gemm", "MatMul"})
#: the inputs of an op that are its parameters (the others are data, or buffers)
_PARAM_SLOTS: dict[str, tuple[int, ...]] = {
    "Conv": (1, 2),
    "ConvTranspose": (1, 2),
    "Gemm": (1, 2),
    "BatchNormalization": (1, 2),  # 3 and 4 are the running statistics (buffers)
    "LayerNormalization": (1, 2),
    "InstanceNormalization": (1, 2),
    "GroupNormalization": (1, 2),
    "PRelu": (1,),
}
#: ops whose float initializers read as data are parameters when they carry a model's name
#: (a positional embedding added, a class token concatenated, a layer scale multiplied)
_DATA_PARAM_OPS = frozenset({"Add", "Mul", "Sub", "Div", "Concat", "Expand", "Tile", "Where"})
_ACTS = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "LeakyRelu": "leakyrelu",
    "HardSigmoid": "hardsigmoid",
    "HardSwish": "hardswish",
    "Gelu": "gelu",
}
_FLOAT_TYPES = frozenset({1, 10, 11, 16})  # float, float16, double, bfloat16
#: an exporter's name for a tensor it made (not a parameter of the model)
_MADE = re.compile(r"^(onnx::|/|_v_|Constant|val_)")


@frozen
class OnnxOp(Layer):
    """An ONNX op that holds no weights of its own and multiplies nothing, with the per-sample
    output shape the file's shape inference found. Its axes are not known as channels."""

    kind: ClassVar[str] = "onnx"
    op_type: str = ""
    out: Shape = (1,)

    def out_shape(self, x: Shape) -> Shape:
        return self.out

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        return ()

    def rf(self, x: Shape, r: RF) -> RF:
        return r if self.out == x else tuple(a.whole_input() for a in r)


@frozen
class OnnxMerge(Merge):
    """An ONNX op of several data inputs that multiplies nothing (`Sub`, `Where`, a broadcast
    `Add`), with the per-sample output shape the file's shape inference found."""

    kind: ClassVar[str] = "onnx"
    op_type: str = ""
    out: Shape = (1,)

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        return self.out


# --- reading ------------------------------------------------------------------------------------


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise CnnCalcError("E0941", install=_INSTALL) from None
    return onnx


class _Tensor:
    """What the build knows of one ONNX tensor: its per-sample shape and batch axis, the
    cnncalc layer that makes it (None for a constant), and, for a constant, the model's
    parameters it was computed from."""

    __slots__ = ("axis", "layer", "params", "shape")

    def __init__(
        self, shape: Shape, axis: int | None, layer: str | None, params: frozenset[str]
    ) -> None:
        self.shape, self.axis, self.layer, self.params = shape, axis, layer, params


class OnnxFile:
    """One load of one ONNX file."""

    def __init__(self, src: OnnxSource, input_shape: Shape | None = None) -> None:
        self.src = src
        self.at = Pos(Source(src.name, ""), 0, 0)
        self.asked = input_shape
        self.onnx = _onnx()
        self.warnings: list[CnnCalcWarning] = []

    def err(self, code: str, **args: object) -> SpecError:
        return SpecError(code, self.at, **args)

    # -- 1. parse --------------------------------------------------------------------------------

    def parse(self) -> Any:
        onnx = self.onnx
        model = onnx.ModelProto()
        try:
            model.ParseFromString(self.src.data)
        except Exception as err:  # noqa: BLE001 - protobuf's DecodeError and its relatives
            raise self.err("E0942", reason=_clip(str(err) or type(err).__name__)) from None
        graph = model.graph
        if model.ir_version < 3 or not graph.node or not graph.input:
            raise self.err("E0961", ir=model.ir_version, nodes=len(graph.node),
                           inputs=len(graph.input))  # fmt: skip
        limit = max_layers() * NODES_PER_LAYER
        if len(graph.node) > limit:
            raise self.err("E0955", count=f"{len(graph.node):,}", limit=f"{limit:,}")
        for node in graph.node:
            if node.domain not in ("", "ai.onnx"):  # a runtime's own ops: their costs unknown
                raise self.err("E0952", op=f"{node.domain}.{node.op_type}", name=node.name or "?")
            if any(a.type in (5, 10, 11, 13) for a in node.attribute):  # GRAPH(S), SPARSE
                raise self.err("E0952", op=node.op_type, name=node.name or "?")
        self.sort(graph)
        for init in graph.initializer:
            if prod(tuple(init.dims)) > _KEEP_ELEMENTS:
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
                    raise self.err("E0953", name=node.name or f"#{i}", tensor=_clip(out))
                if out:
                    made[out] = i
        waiting = [0] * len(graph.node)
        readers: dict[int, list[int]] = {}
        for i, node in enumerate(graph.node):
            for name in dict.fromkeys(node.input):
                if name in known:
                    continue
                if name not in made:
                    raise self.err("E0954", name=node.name or f"#{i}", tensor=_clip(name))
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
            names = ", ".join(_clip(i.name, 40) for i in inputs[:8])
            raise self.err("E0943", count=len(inputs), names=names)
        x = inputs[0]
        dims = [d.dim_value if d.HasField("dim_value") else None for d in _dims(x)]
        if len(dims) < 2:
            raise self.err("E0944", name=_clip(x.name), shape=_shape_text(dims))
        rest = tuple(dims[1:])
        if self.asked is not None:
            if len(self.asked) != len(rest):
                raise self.err("E0945", asked=fmt_shape(self.asked), shape=_shape_text(dims))
            rest = self.asked
        missing = [i + 1 for i, d in enumerate(rest) if d is None or d < 1]
        if missing:
            raise self.err("E0946", name=_clip(x.name), shape=_shape_text(dims), axis=missing[0])
        big = [d for d in dims if d is not None and d > MAX_DIM]
        if big:
            raise self.err("E0947", value=f"{big[0]:,}", limit=f"{MAX_DIM:,}")
        fixed = dims[0] if dims[0] is not None and dims[0] > 0 else None
        return x, tuple(int(d) for d in rest if d is not None), fixed

    def infer(self, model: Any, x_name: str, shape: Shape, batch: int) -> tuple[Any, dict]:
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
        consts = _constants(g)
        for _ in range(_FOLD_ROUNDS):
            try:
                m = onnx.shape_inference.infer_shapes(m, data_prop=True)
            except Exception as err:  # noqa: BLE001 - InferenceError, and the C++ side's others
                raise self.err("E0950", reason=_clip(str(err).strip().splitlines()[-1])) from None
            shapes = _shapes(m.graph)
            if not _fold(m.graph, shapes, consts):
                return m, shapes
        return m, _shapes(m.graph)

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


def _torch_path(name: str) -> tuple[str | None, str]:
    """`/layer1/layer1.0/conv1/Conv` -> (`layer1.0.conv1`, `conv`); (None, '') for a name that
    is not PyTorch's scope path. A scope names a child of a `Sequential` after its parent's
    scope (`mlp/mlp.0`), so a segment that extends the one before replaces it."""
    if not name.startswith("/") or "//" in name:
        return None, ""
    segs = name.strip("/").split("/")
    path: list[str] = []
    last = ""
    for seg in segs[:-1]:
        if last and seg.startswith(last + "."):
            path = path[: len(path) - len(last.split("."))]
        path.extend(seg.split("."))
        last = seg
    return ".".join(path), segs[-1].lower()


def first_axis(t: _Tensor) -> bool:
    return t.axis == 0


def _dims(value_info: Any) -> Sequence[Any]:
    return tuple(value_info.type.tensor_type.shape.dim)


def _shape_text(dims: Sequence[int | None]) -> str:
    return "x".join("?" if d is None else str(d) for d in dims)


def _clip(text: str, n: int = MAX_NAME) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _shapes(graph: Any) -> dict[str, tuple[int, ...] | None]:
    out: dict[str, tuple[int, ...] | None] = {}
    for vi in (*graph.input, *graph.value_info, *graph.output):
        tt = vi.type.tensor_type
        if not tt.HasField("shape"):
            out.setdefault(vi.name, None)
            continue
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in tt.shape.dim]
        out[vi.name] = None if any(d < 0 for d in dims) else tuple(dims)
    for t in graph.initializer:
        out[t.name] = tuple(t.dims)
    return out


def _constants(graph: Any) -> dict[str, Any]:
    """The initializers whose numbers are still there (the small ones), as arrays."""
    from onnx import numpy_helper

    out = {}
    for t in graph.initializer:
        if prod(tuple(t.dims)) <= _KEEP_ELEMENTS:
            try:
                out[t.name] = numpy_helper.to_array(t)
            except Exception:  # noqa: BLE001, S112 - a payload that does not decode: not folded
                continue
    return out


def _fold(graph: Any, shapes: dict, consts: dict[str, Any]) -> bool:
    """Evaluate the nodes whose inputs are all known numbers (or, for `Shape`, a tensor of known
    shape); replace each by initializers holding its outputs. Whether any node folded."""
    from onnx import numpy_helper

    kept, folded = [], []
    for node in graph.node:
        values = _evaluate(node, shapes, consts)
        if values is None:
            kept.append(node)
            continue
        for name, v in zip(node.output, values):
            consts[name] = v
        folded.append(node)
    if not folded:
        return False
    used = {i for n in kept for i in n.input} | {o.name for o in graph.output}
    have = {t.name for t in graph.initializer}
    for node in folded:
        for name in node.output:
            if name in used and name not in have:
                graph.initializer.append(numpy_helper.from_array(consts[name], name))
    del graph.node[:]
    graph.node.extend(kept)
    return True


def _attr(node: Any, name: str, default: Any = None) -> Any:
    from onnx import helper

    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _evaluate(node: Any, shapes: dict, consts: dict[str, Any]) -> list[Any] | None:
    """The outputs of one small constant node as arrays, or None (not foldable here)."""
    import numpy as np
    from onnx import numpy_helper

    op = node.op_type
    if node.domain not in ("", "ai.onnx"):
        return None
    if op == "Constant":
        t = _attr(node, "value")
        if t is None or prod(tuple(t.dims)) > _FOLD_ELEMENTS:
            return None
        return [numpy_helper.to_array(t)]
    if op == "Shape":
        s = shapes.get(node.input[0])
        if s is None:
            return None
        start, end = _attr(node, "start", 0), _attr(node, "end", None)
        return [np.array(s[start:end], dtype=np.int64)]
    if op == "Size":
        s = shapes.get(node.input[0])
        return None if s is None else [np.array(prod(s), dtype=np.int64)]
    ins = [consts.get(i) if i else None for i in node.input]
    if any(v is None for i, v in zip(node.input, ins) if i):
        return None
    try:
        out = _numpy_op(np, node, op, ins)
    except Exception:  # noqa: BLE001 - anything the tiny evaluator does not follow: not folded
        return None
    if out is None or any(np.asarray(v).size > _FOLD_ELEMENTS for v in out):
        return None
    return [np.asarray(v) for v in out]


def _numpy_op(np: Any, node: Any, op: str, ins: list[Any]) -> list[Any] | None:
    a = ins[0] if ins else None
    b = ins[1] if len(ins) > 1 else None
    binary = {
        "Add": np.add,
        "Sub": np.subtract,
        "Mul": np.multiply,
        "Equal": np.equal,
        "Less": np.less,
        "Greater": np.greater,
        "Max": np.maximum,
        "Min": np.minimum,
        "Pow": np.power,
    }
    if op in binary and len(ins) == 2:
        return [binary[op](a, b).astype(np.result_type(a, b) if op not in ("Equal", "Less",
                "Greater") else bool)]  # fmt: skip
    unary = {"Neg": np.negative, "Abs": np.abs, "Floor": np.floor, "Ceil": np.ceil,
             "Sqrt": np.sqrt, "Identity": lambda v: v, "Reciprocal": np.reciprocal}  # fmt: skip
    if op in unary:
        return [unary[op](a).astype(a.dtype)]
    if op == "Div":
        if np.issubdtype(a.dtype, np.integer):
            return [np.trunc(np.true_divide(a, b)).astype(a.dtype)]
        return [np.true_divide(a, b).astype(a.dtype)]
    if op == "Mod":
        return [np.fmod(a, b) if _attr(node, "fmod", 0) else np.mod(a, b)]
    if op == "Cast":
        from onnx import helper

        return [a.astype(helper.tensor_dtype_to_np_dtype(_attr(node, "to")))]
    if op == "Gather":
        return [np.take(a, b, axis=_attr(node, "axis", 0))]
    if op == "Unsqueeze":
        axes = b if b is not None else _attr(node, "axes")
        out = a
        for ax in sorted(int(v) % (a.ndim + len(axes)) for v in axes):
            out = np.expand_dims(out, ax)
        return [out]
    if op == "Squeeze":
        axes = b if b is not None else _attr(node, "axes")
        return [np.squeeze(a, axis=None if axes is None else tuple(int(v) for v in axes))]
    if op == "Concat":
        return [np.concatenate([np.atleast_1d(v) for v in ins], axis=_attr(node, "axis"))]
    if op == "Slice":
        starts, ends = ins[1], ins[2]
        axes = ins[3] if len(ins) > 3 and ins[3] is not None else range(len(starts))
        steps = ins[4] if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
        index = [slice(None)] * a.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            index[int(ax)] = slice(int(s), int(e), int(st))
        return [a[tuple(index)]]
    if op == "Reshape":
        shape = [a.shape[i] if v == 0 else int(v) for i, v in enumerate(b)]
        return [a.reshape(shape)]
    if op == "ConstantOfShape":
        value = _attr(node, "value")
        fill = np.zeros(1, np.float32) if value is None else _to_array(value)
        if prod(tuple(int(v) for v in a)) > _FOLD_ELEMENTS:
            return None
        return [np.full(tuple(int(v) for v in a), fill.reshape(-1)[0], dtype=fill.dtype)]
    if op == "Range":
        return [np.arange(a, b, ins[2]).astype(a.dtype)]
    if op == "Where":
        return [np.where(a, b, ins[2])]
    if op == "ReduceProd":
        return [np.prod(a, keepdims=bool(_attr(node, "keepdims", 1)))]
    if op == "Transpose":
        return [np.transpose(a, _attr(node, "perm"))]
    return None


def _to_array(t: Any) -> Any:
    from onnx import numpy_helper

    return numpy_helper.to_array(t)


# --- the build ----------------------------------------------------------------------------------


class Builder:
    """The folded graph at batch 1 (and the shapes at batch 2) -> cnncalc's nodes."""

    def __init__(
        self, f: OnnxFile, model: Any, s1: dict, s2: dict | None, x: str, shape: Shape,
        batch: int | None = None,
    ) -> None:  # fmt: skip
        self.f = f
        self.batch = batch  # the file's own batch (then `s2` is None)
        self.graph = model.graph
        self.s1, self.s2 = s1, s2
        self.x_name = x
        self.net = Graph(shape)
        self.tensors: dict[str, _Tensor] = {x: _Tensor(shape, 0, INPUT, frozenset())}
        self.inits = {t.name: t for t in self.graph.initializer}
        #: the elements of every tensor that may be a parameter: the float initializers, and
        #: the `Identity` copies an exporter makes of equal ones (each a parameter of its own)
        self.sizes: dict[str, int] = {}
        for t in self.graph.initializer:
            floats = t.data_type in _FLOAT_TYPES
            if floats:
                self.sizes[t.name] = prod(tuple(t.dims))
            own = frozenset() if _MADE.match(t.name) or not floats else frozenset({t.name})
            self.tensors[t.name] = _Tensor(tuple(t.dims), None, None, own)
        self.origin: dict[str, tuple[Any, int, int | None]] = {}
        self.counted: set[str] = set()
        self.param_of: dict[str, int] = {}  # layer name -> its parameters, from the file
        self.made = 0  # layers whose weights the exporter computed (BatchNorm folded in)
        self.unknown: dict[str, int] = {}

    # -- names -----------------------------------------------------------------------------------

    def layer_name(self, node: Any, index: int, part: int | None = None) -> str:
        """A provisional name (`#index:part`); `final_names` chooses the shown ones."""
        name = f"#{index}" if part is None else f"#{index}:{part}"
        self.origin[name] = (node, index, part)
        return name

    def final_names(self) -> dict[str, str]:
        """A PyTorch exporter's `/layer1/layer1.0/conv1/Conv` -> `layer1.0.conv1` (the module's
        name, as `state_dict` writes it) when the module makes this one layer, else the module
        and the op (`layer1.0.add`); any other exporter's name as it is."""
        paths: dict[str, str | None] = {}
        count: dict[str, int] = {}
        parents: set[str] = set()
        for temp, (node, _, _) in self.origin.items():
            path, _ = _torch_path(node.name)
            paths[temp] = path
            if path:
                count[path] = count.get(path, 0) + 1
                parts = path.split(".")
                parents.update(".".join(parts[:i]) for i in range(1, len(parts)))
        names: set[str] = {INPUT}
        out: dict[str, str] = {}
        for temp, (node, index, part) in self.origin.items():
            path = paths[temp]
            if path is None:
                base = node.name or f"{node.op_type.lower()}_{index}"
            elif path and count.get(path, 0) == 1 and path not in parents:
                base = path
            else:
                base = f"{path}.{_torch_path(node.name)[1]}" if path else _torch_path(node.name)[1]
            base = _clip(base, MAX_NAME - 12)
            if part is not None:
                base = f"{base}:{part}"
            name, n = base, 1
            while name in names or name in parents:
                n += 1
                name = f"{base}_{n}"
            names.add(name)
            out[temp] = name
        return out

    # -- shapes ----------------------------------------------------------------------------------

    def per_sample(self, tensor: str, node: Any) -> tuple[Shape, int | None]:
        """A tensor's per-sample shape and batch axis (None: no axis of its own, as after a
        reshape that merged the batch into another axis, or none at all)."""
        a = self.s1.get(tensor)
        if self.s2 is None and a is not None:  # the file's batch: the first axis, if its size
            if any(d > MAX_DIM for d in a):
                raise self.f.err("E0947", value=f"{max(a):,}", limit=f"{MAX_DIM:,}")
            if a and a[0] == self.batch:
                return a[1:] or (1,), 0
            if self.batch == 1:  # no batch axis of its own: a sample is the whole tensor
                return a or (1,), None
            raise self.f.err("E0960", tensor=_clip(tensor), op=node.op_type,
                             name=_clip(node.name or "?"), shape=fmt_shape(a), batch=self.batch)  # fmt: skip
        b = None if self.s2 is None else self.s2.get(tensor)
        if a is None or b is None or len(a) != len(b):
            raise self.f.err("E0956", tensor=_clip(tensor), op=node.op_type,
                             name=_clip(node.name or "?"))  # fmt: skip
        if any(d > MAX_DIM for d in a):
            raise self.f.err("E0947", value=f"{max(a):,}", limit=f"{MAX_DIM:,}")
        diff = [i for i, (p, q) in enumerate(zip(a, b)) if p != q]
        if not diff:
            return a or (1,), None
        if len(diff) == 1 and a[diff[0]] == 1 and b[diff[0]] == 2:
            i = diff[0]
            return (a[:i] + a[i + 1 :]) or (1,), i
        if len(diff) == 1 and b[diff[0]] == 2 * a[diff[0]]:
            return a, None
        raise self.f.err("E0957", tensor=_clip(tensor), op=node.op_type,
                         name=_clip(node.name or "?"), a=fmt_shape(a), b=fmt_shape(b))  # fmt: skip

    # -- the nodes -------------------------------------------------------------------------------

    def build(self) -> Network:
        for index, node in enumerate(self.graph.node):
            self.node(node, index)
        outputs = [self.tensors[o.name].layer for o in self.graph.output if o.name in self.tensors]
        temp = tuple(dict.fromkeys(o for o in outputs if o not in (None, INPUT)))
        if not temp:
            raise self.f.err("E0958")
        if len(self.net.nodes) > max_layers():
            raise self.f.err("E0955", count=f"{len(self.net.nodes):,}", limit=f"{max_layers():,}")
        if self.unknown:
            ops = ", ".join(f"{op} ×{n}" if n > 1 else op for op, n in self.unknown.items())
            self.f.warnings.append(CnnCalcWarning("W0942", self.f.at, ops=ops))
        if self.made:
            self.f.warnings.append(CnnCalcWarning("W0941", self.f.at, count=self.made))
        names = self.final_names()
        graph = Graph(self.net.input_shape)
        graph.layouts.update({names.get(k, k): v for k, v in self.net.layouts.items()})
        for n in self.net.nodes:
            inputs = tuple(names.get(i, i) for i in n.inputs)
            graph.add(Node(names[n.name], n.op, n.layer, inputs, n.pos))
        inferred = graph.inferred()
        rows = tuple(
            NodeFigures(r.kernel_shape, self.param_of[old.name], r.macs, r.rf)
            for old, r in zip(self.net.nodes, inferred.rows)
        )
        warnings = (*inferred.warnings, *self.f.warnings)
        outs = tuple(names[o] for o in temp)
        inferred = dataclasses.replace(inferred, rows=rows, warnings=warnings)
        from pathlib import PurePath

        return Network(input_shape=self.net.input_shape, nodes=inferred.nodes, outputs=outs,
                       batch=self.batch or 1,
                       name=PurePath(self.f.src.name).stem, input_pos=self.f.at,
                       inferred=inferred, front="onnx")  # fmt: skip

    def params(self, node: Any) -> tuple[int, set[str]]:
        """The parameters `node` reads that no earlier node has counted, and their names."""
        op = node.op_type
        slots = _PARAM_SLOTS.get(op)
        names: set[str] = set()
        for i, name in enumerate(node.input):
            t = self.tensors.get(name)
            if not name or t is None or t.layer is not None:
                continue
            if slots is not None:
                if i in slots:
                    names |= {name} if name in self.sizes else t.params
            elif op in _COUNTED_OPS:
                names |= {name} if name in self.sizes else t.params
            else:
                names |= t.params
        new = names - self.counted
        self.counted |= new
        return sum(self.sizes.get(n, 0) for n in new), new

    def node(self, node: Any, index: int) -> None:
        outs = [o for o in node.output if o]
        if outs and all(o in self.tensors for o in outs):
            return  # read with the node before it (the bias `Add` of a linear)
        ins = [i for i in node.input if i]
        dyn = [i for i in ins if self.tensors[i].layer is not None]
        if node.domain not in ("", "ai.onnx"):
            raise self.f.err("E0952", op=f"{node.domain}.{node.op_type}", name=node.name or "?")
        if not dyn:  # a constant the folding could not evaluate (a weight expanded, say)
            if node.op_type == "Identity" and ins[0] in self.sizes:
                self.sizes[outs[0]] = self.sizes[ins[0]]
                own = frozenset() if _MADE.match(outs[0]) else frozenset({outs[0]})
                self.tensors[outs[0]] = _Tensor(self.tensors[ins[0]].shape, None, None, own)
                return
            learnt = frozenset().union(*(self.tensors[i].params for i in ins))
            for out in outs:
                self.tensors[out] = _Tensor(self.s1.get(out) or (), None, None, learnt)
            return
        op = node.op_type
        if op not in _FREE_OPS and op not in _COUNTED_OPS:
            self.unknown_op(node, dyn)
        if op == "MatMul" and self.fuse_bias(node, index, dyn):
            return
        if op == "Split" or len(outs) > 1 and op not in ("BatchNormalization", "Dropout"):
            for part, out in enumerate(outs):
                self.add(node, index, dyn, out, self.generic(node, dyn, out), part)
            return
        self.add(node, index, dyn, outs[0], self.layer(node, dyn, outs[0]))

    def unknown_op(self, node: Any, dyn: list[str]) -> None:
        shape_in = self.per_sample(dyn[0], node)
        outs = [o for o in node.output if o]
        if len(dyn) == 1 and len(outs) == 1 and self.per_sample(outs[0], node) == shape_in:
            self.unknown[node.op_type] = self.unknown.get(node.op_type, 0) + 1
            return
        raise self.f.err("E0952", op=node.op_type, name=node.name or f"#{node.op_type}")

    def add(
        self, node: Any, index: int, dyn: list[str], out: str, layer: Layer | Merge,
        part: int | None = None, bias: Any = None,
    ) -> None:  # fmt: skip
        shape, axis = self.per_sample(bias.output[0] if bias else out, node)
        name = self.layer_name(node, index, part)
        params, _ = self.params(node) if part in (None, 0) else (0, set())
        if bias is not None:
            params += self.sizes[next(i for i in bias.input if i != out)]
            self.counted.add(next(i for i in bias.input if i != out))
        self.param_of[name] = params
        inputs = tuple(self.tensors[i].layer or INPUT for i in dyn)
        if not isinstance(layer, Merge):
            inputs = inputs[:1]
            if layer.reads == "last" and self.net.layouts.get(inputs[0]) is None:
                if len(self.net.shapes[inputs[0]]) > 1:
                    self.net.layouts[inputs[0]] = ()  # the file says which axis: its last
        kind = _op_name(node.op_type, layer)
        cnn = Node(name, kind, layer, inputs, self.f.at)
        try:
            got = self.net.add(cnn)
        except CnnCalcError as err:
            raise self.f.err("E0959", op=node.op_type, name=_clip(node.name or name),
                             reason=_clip(err.text("en"))) from None  # fmt: skip
        if got != shape:
            raise self.f.err("E0949", op=node.op_type, name=_clip(node.name or name),
                             ours=fmt_shape(got), theirs=fmt_shape(shape))  # fmt: skip
        self.tensors[out] = _Tensor(shape, axis, name, frozenset())

    def generic(self, node: Any, dyn: list[str], out: str) -> Layer | Merge:
        shape, _ = self.per_sample(out, node)
        if len(dyn) > 1:
            return OnnxMerge(op_type=node.op_type, out=shape)
        return OnnxOp(op_type=node.op_type, out=shape)

    def fuse_bias(self, node: Any, index: int, dyn: list[str]) -> bool:
        """`MatMul` by a weight, then `Add` of a bias: PyTorch's `nn.Linear` on a sequence
        (one layer, as in the model)."""
        t = self.tensors.get(node.input[1])
        if len(dyn) != 1 or node.input[0] != dyn[0] or t is None or t.layer is not None:
            return False
        out = node.output[0]
        readers = [n for n in self.graph.node if out in n.input]
        if len(readers) != 1 or readers[0].op_type != "Add":
            return False
        add = readers[0]
        other = next((i for i in add.input if i != out), None)
        w = t.shape
        b = self.tensors.get(other or "")
        if b is None or b.layer is not None or (other or "") not in self.sizes:
            return False
        if len(w) != 2 or tuple(b.shape) != (w[1],) or not first_axis(self.tensors[dyn[0]]):
            return False
        layer = Linear(out_features=w[1], bias=True)
        self.add(node, index, dyn, out, layer, bias=add)
        self.tensors[add.output[0]] = self.tensors[out]
        return True

    def layer(self, node: Any, dyn: list[str], out: str) -> Layer | Merge:
        """The cnncalc kind of one node, or a free `OnnxOp` of the file's shape."""
        op = node.op_type
        x = dyn[0]
        xt = self.tensors[x]
        first = xt.axis == 0  # the batch leads: cnncalc's kinds read the rest per sample
        if op in ("Conv", "ConvTranspose"):
            if not first:
                raise self.f.err("E0951", op=op, name=node.name or "?")
            return self.conv(node, x)
        if op == "Gemm":
            return self.gemm(node, first)
        if op == "MatMul":
            return self.matmul(node, dyn, first)
        if op in _ACTS and len(dyn) == 1:
            return Activation(function=_ACTS[op], negative_slope=_attr(node, "alpha", 0.01))
        if op in ("Identity", "Softmax") and len(dyn) == 1:
            return Identity()
        if op == "Dropout" and len(dyn) == 1:
            return Dropout(p=0.0)
        if not first or len(xt.shape) < 1:
            return self.generic(node, dyn, out)
        if op == "BatchNormalization" and self.learnt(node, (1, 2)):
            return BatchNorm()
        if op == "LayerNormalization" and _attr(node, "axis", -1) in (-1, len(xt.shape)):
            return LayerNormLast(bias=len(node.input) > 2 and bool(node.input[2]))
        if op == "InstanceNormalization" and self.learnt(node, (1, 2)):
            return InstanceNorm(affine=True)
        if op in ("MaxPool", "AveragePool") and len(xt.shape) > 1:
            return self.pool(node, out)
        if op == "GlobalAveragePool" and len(xt.shape) > 1:
            return AdaptiveAvgPool(output_size=(1,))
        if op == "GlobalMaxPool" and len(xt.shape) > 1:
            return AdaptiveMaxPool(output_size=(1,))
        if op == "Flatten" and _attr(node, "axis", 1) == 1:
            return Flatten()
        if op in ("Add", "Mul", "Concat") and len(dyn) == len(
            [i for i in node.input if i]
        ) and all(self.tensors[i].axis == 0 for i in dyn):  # fmt: skip
            shapes = [self.tensors[i].shape for i in dyn]
            if op == "Add" and len(set(shapes)) == 1:
                return AddMerge()
            if op == "Mul" and len(dyn) == 2:
                return Mul()
            if op == "Concat":
                axis = _attr(node, "axis", 1)
                rank = len(self.s1[x] or ())
                axis = axis + rank if axis < 0 else axis
                if axis >= 1 and len({len(s) for s in shapes}) == 1:
                    return Concat(dim=axis)
        if op == "Resize" and len(xt.shape) > 1:
            shape, _ = self.per_sample(out, node)
            if shape[0] == xt.shape[0]:
                mode = _attr(node, "mode", b"nearest")
                mode = mode.decode() if isinstance(mode, bytes) else mode
                n = len(shape) - 1
                interp = {1: "linear", 2: "bilinear", 3: "trilinear"}.get(n, "nearest")
                picked = {"linear": interp, "cubic": "bicubic" if n == 2 else "nearest"}
                return Upsample(size=shape[1:], mode=picked.get(mode, "nearest"))
        return self.generic(node, dyn, out)

    def weight(self, name: str) -> tuple[int, ...] | None:
        """The shape of a weight: an initializer, or a constant the graph computes from one
        (PyTorch's training export transposes a linear's weight in the graph)."""
        t = self.tensors.get(name)
        if t is None or t.layer is not None or not t.shape:
            return None
        if _MADE.match(name) and name in self.inits:
            self.made += 1
        return tuple(int(v) for v in t.shape)

    def learnt(self, node: Any, slots: Iterable[int]) -> bool:
        return all(
            len(node.input) > i and node.input[i] in self.inits for i in slots
        )  # fmt: skip

    def conv(self, node: Any, x: str) -> Layer:
        w = self.weight(node.input[1])
        if w is None:
            raise self.f.err("E0951", op=node.op_type, name=node.name or "?")
        xs = self.tensors[x].shape
        k = w[2:]
        n = len(k)
        s = tuple(_attr(node, "strides", [1] * n))
        d = tuple(_attr(node, "dilations", [1] * n))
        g = int(_attr(node, "group", 1))
        bias = len(node.input) > 2 and bool(node.input[2])
        auto = _attr(node, "auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        pads = list(_attr(node, "pads", [0] * 2 * n))
        if node.op_type == "ConvTranspose":
            outp = tuple(_attr(node, "output_padding", [0] * n))
            if auto not in ("NOTSET", "VALID") or _attr(node, "output_shape") is not None:
                shape, _ = self.per_sample(node.output[0], node)
                # the total padding that gives the file's output size, split as ONNX does
                tot = [(i - 1) * ss + (kk - 1) * dd + 1 + op - o
                       for i, o, kk, ss, dd, op in zip(xs[1:], shape[1:], k, s, d, outp)]  # fmt: skip
                pads = [t // 2 for t in tot] + [t - t // 2 for t in tot]
            if pads[:n] != pads[n:]:
                raise self.f.err("E0951", op=node.op_type, name=node.name or "?")
            return ConvTranspose(out_channels=w[1] * g, kernel_size=k, stride=s,
                                 padding=tuple(pads[:n]), output_padding=outp, dilation=d,
                                 groups=g, bias=bias)  # fmt: skip
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            pads = []
            for i, kk, ss, dd in zip(xs[1:], k, s, d):
                o = -(-i // ss)
                tot = max((o - 1) * ss + (kk - 1) * dd + 1 - i, 0)
                pads.append((tot // 2, tot - tot // 2) if auto == "SAME_UPPER" else
                            (tot - tot // 2, tot // 2))  # fmt: skip
            pad: Any = tuple(pads)
        elif auto == "VALID":
            pad = ((0, 0),) * n
        else:
            pad = tuple((int(pads[i]), int(pads[i + n])) for i in range(n))
        return Conv(out_channels=w[0], kernel_size=k, stride=s, padding=pad,
                    dilation=d, groups=g, bias=bias)  # fmt: skip

    def gemm(self, node: Any, first: bool) -> Layer:
        w = self.weight(node.input[1])
        xs = self.tensors[node.input[0]].shape
        if w is None or not first or _attr(node, "transA", 0) or len(xs) != 1 or len(w) != 2:
            raise self.f.err("E0951", op="Gemm", name=node.name or "?")
        n = w[0] if _attr(node, "transB", 0) else w[1]
        return Linear(out_features=n, bias=len(node.input) > 2 and bool(node.input[2]))

    def matmul(self, node: Any, dyn: list[str], first: bool) -> Layer | Merge:
        if len(dyn) == 2:
            if not all(self.tensors[i].axis in (0, None) for i in dyn):
                raise self.f.err("E0951", op="MatMul", name=node.name or "?")
            return Matmul()
        w = self.weight(node.input[1])
        if node.input[0] != dyn[0] or w is None or len(w) != 2 or not first:
            raise self.f.err("E0951", op="MatMul", name=node.name or "?")
        return Linear(out_features=w[1], bias=False)

    def pool(self, node: Any, out: str) -> Layer:
        k = tuple(_attr(node, "kernel_shape"))
        n = len(k)
        pads = list(_attr(node, "pads", [0] * 2 * n))
        auto = _attr(node, "auto_pad", b"NOTSET")
        if pads[:n] != pads[n:] or auto not in (b"NOTSET", "NOTSET"):
            return self.generic(node, [node.input[0]], out)
        s = tuple(_attr(node, "strides", [1] * n))
        d = tuple(_attr(node, "dilations", [1] * n))
        ceil = bool(_attr(node, "ceil_mode", 0))
        if node.op_type == "MaxPool":
            return MaxPool(kernel_size=k, stride=s, padding=tuple(pads[:n]), dilation=d,
                           ceil_mode=ceil)  # fmt: skip
        include = bool(_attr(node, "count_include_pad", 0))
        return AvgPool(kernel_size=k, stride=s, padding=tuple(pads[:n]), ceil_mode=ceil,
                       count_include_pad=include)  # fmt: skip


#: ONNX op -> the op name cnncalc shows for its own kinds (a free op shows its ONNX name)
def _op_name(op_type: str, layer: Layer | Merge) -> str:
    if isinstance(layer, (OnnxOp, OnnxMerge)):
        return op_type.lower()
    if isinstance(layer, Activation):
        return layer.function
    if isinstance(layer, Identity):
        return op_type.lower()
    if isinstance(layer, AdaptiveAvgPool):
        return "gap"
    if isinstance(layer, AdaptiveMaxPool):
        return "gmp"
    kind = layer.kind
    assert kind in KINDS, kind
    return kind


def load_onnx(src: OnnxSource, input_shape: Shape | None = None) -> Network:
    """The network of an ONNX file (`input_shape`: the per-sample input instead of the
    file's)."""
    try:
        return OnnxFile(src, input_shape).load()
    except LayerArgError as err:  # a kind that refuses what the file says: say where
        raise SpecError("E0959", Pos(Source(src.name, ""), 0, 0), op="?", name="?",
                        reason=_clip(err.text("en"))) from None  # fmt: skip
