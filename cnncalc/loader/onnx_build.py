"""An ONNX graph, folded and inferred at batch 1 (and 2), -> cnncalc's nodes: the counting
ops (Conv, ConvTranspose, Gemm, MatMul) and the common ones as cnncalc's own kinds, every other
known op as a free layer of the shape the file's inference found, named after PyTorch's module
paths where the exporter wrote them. Params are the initializers the graph uses, each tensor name
once (docs/onnx.md, "What is counted")."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from cnncalc.engine import INPUT, Graph, Network, Node, NodeFigures
from cnncalc.errors import CnnCalcError, CnnCalcWarning
from cnncalc.layers import (
    KINDS,
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
from cnncalc.layers.kinds_onnx import OnnxMerge, OnnxOp
from cnncalc.loader.onnx_graph import MAX_DIM, Shapes, attr, clip
from cnncalc.loader.source import MAX_NAME, max_layers
from cnncalc.messages.escape import visible

if TYPE_CHECKING:
    from cnncalc.loader.onnx import OnnxFile

#: ops that compute and hold no weights of their own (their initializers, if any, still count)
_FREE_OPS = frozenset(
    """
    Abs Acos Acosh And ArgMax ArgMin Asin Asinh Atan Atanh BitShift Cast CastLike Ceil Celu
    Clip Compress Concat ConstantOfShape Cos Cosh CumSum DepthToSpace Div Dropout Elu Equal Erf
    Exp Expand EyeLike Flatten Floor Gather GatherElements GatherND Gelu Greater GreaterOrEqual
    HardSigmoid HardSwish Hardmax Identity IsInf IsNaN LeakyRelu Less LessOrEqual Log
    LogSoftmax Max Mean Min Mish Mod Mul Neg Not OneHot Or Pad Pow Range Reciprocal
    ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum
    ReduceSumSquare Relu Reshape Resize Round ScatterElements ScatterND Selu Shape Shrink
    Sigmoid Sign Sin Sinh Size Slice Softmax Softplus Softsign SpaceToDepth Split Sqrt Squeeze
    Sub Sum Tan Tanh ThresholdedRelu Tile TopK Transpose Trilu Unsqueeze Upsample Where Xor Add
    MaxPool AveragePool GlobalAveragePool GlobalMaxPool LpPool BatchNormalization
    LayerNormalization InstanceNormalization GroupNormalization PRelu LRN Einsum
    """.split()  # noqa: SIM905 - a table to read, not a list to edit
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


class _Tensor:
    """What the build knows of one ONNX tensor: its per-sample shape and batch axis, the
    cnncalc layer that makes it (None for a constant), and, for a constant, the model's
    parameters it was computed from."""

    __slots__ = ("axis", "layer", "params", "shape")

    def __init__(
        self, shape: Shape, axis: int | None, layer: str | None, params: frozenset[str]
    ) -> None:
        self.shape, self.axis, self.layer, self.params = shape, axis, layer, params


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


# --- the build ----------------------------------------------------------------------------------


class Builder:
    """The folded graph at batch 1 (and the shapes at batch 2) -> cnncalc's nodes."""

    def __init__(
        self, f: OnnxFile, model: Any, s1: Shapes, s2: Shapes | None, x: str, shape: Shape,
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
            base = clip(visible(base), MAX_NAME - 12)  # a line break or an escape: shown as text
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
            where = {"tensor": clip(tensor), "op": node.op_type, "name": clip(node.name or "?")}
            raise self.f.err("E0960", shape=fmt_shape(a), batch=self.batch, **where)
        b = None if self.s2 is None else self.s2.get(tensor)
        if a is None or b is None or len(a) != len(b):
            raise self.f.err("E0956", tensor=clip(tensor), op=node.op_type,
                             name=clip(node.name or "?"))  # fmt: skip
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
        raise self.f.err("E0957", tensor=clip(tensor), op=node.op_type,
                         name=clip(node.name or "?"), a=fmt_shape(a), b=fmt_shape(b))  # fmt: skip

    # -- the nodes -------------------------------------------------------------------------------

    def build(self) -> Network:
        for index, node in enumerate(self.graph.node):
            try:
                self.node(node, index)
            except (TypeError, ValueError, IndexError, KeyError, AttributeError, ArithmeticError):
                # an attribute of the wrong type (strides given as text), a missing input …
                name = clip(node.name or f"#{index}")
                raise self.f.err("E0962", op=clip(node.op_type, 40), name=name) from None
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
        if op == "Split" or (len(outs) > 1 and op not in ("BatchNormalization", "Dropout")):
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
            first = inputs[0]
            if (
                layer.reads == "last"
                and first not in self.net.layouts
                and len(self.net.shapes[first]) > 1
            ):
                self.net.layouts[first] = ()  # the file says which axis: its last
        kind = _op_name(node.op_type, layer)
        cnn = Node(name, kind, layer, inputs, self.f.at)
        try:
            got = self.net.add(cnn)
        except CnnCalcError as err:
            raise self.f.err("E0959", op=node.op_type, name=clip(node.name or name),
                             reason=clip(err.text("en"))) from None  # fmt: skip
        if got != shape:
            raise self.f.err("E0949", op=node.op_type, name=clip(node.name or name),
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
        if op in _ACTS and len(dyn) == 1 and self.torch_act(node):
            if op == "LeakyRelu":
                return Activation(
                    function="leakyrelu", negative_slope=_f32(attr(node, "alpha", 0.01))
                )
            if op == "Gelu":
                return Activation(
                    function="gelu", approximate=_text(attr(node, "approximate", "none"))
                )
            return Activation(function=_ACTS[op])
        if op == "Identity" and len(dyn) == 1:
            return Identity()
        if op == "Dropout" and len(dyn) == 1:
            return Dropout(p=0.0)
        if not first or len(xt.shape) < 1:
            return self.generic(node, dyn, out)
        eps = _f32(attr(node, "epsilon", 1e-5))
        if op == "BatchNormalization" and self.learnt(node, (1, 2)):
            return BatchNorm(eps=eps, momentum=_f32(1 - attr(node, "momentum", 0.9)))
        if op == "LayerNormalization" and attr(node, "axis", -1) in (-1, len(xt.shape)):
            return LayerNormLast(eps=eps, bias=len(node.input) > 2 and bool(node.input[2]))
        if op == "InstanceNormalization" and self.learnt(node, (1, 2)):
            return InstanceNorm(affine=True, eps=eps)
        if op in ("MaxPool", "AveragePool") and len(xt.shape) > 1:
            return self.pool(node, out)
        if op == "GlobalAveragePool" and len(xt.shape) > 1:
            return AdaptiveAvgPool(output_size=(1,))
        if op == "GlobalMaxPool" and len(xt.shape) > 1:
            return AdaptiveMaxPool(output_size=(1,))
        if op == "Flatten" and attr(node, "axis", 1) == 1:
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
                axis = attr(node, "axis", 1)
                rank = len(self.s1[x] or ())
                axis = axis + rank if axis < 0 else axis
                if axis >= 1 and len({len(s) for s in shapes}) == 1:
                    return Concat(dim=axis)
        if op == "Resize" and len(xt.shape) > 1:
            shape, _ = self.per_sample(out, node)
            if shape[0] == xt.shape[0]:
                mode = _text(attr(node, "mode", "nearest"))
                n = len(shape) - 1
                interp = {1: "linear", 2: "bilinear", 3: "trilinear"}.get(n, "nearest")
                picked = {"linear": interp, "cubic": "bicubic" if n == 2 else "nearest"}
                corners = _text(attr(node, "coordinate_transformation_mode", "half_pixel"))
                aligned = (corners == "align_corners") if mode != "nearest" else None
                return Upsample(size=shape[1:], mode=picked.get(mode, "nearest"),
                                align_corners=aligned or None)  # fmt: skip
        return self.generic(node, dyn, out)

    def torch_act(self, node: Any) -> bool:
        """Whether an activation is PyTorch's (`HardSigmoid` is x/6 + 1/2 there; ONNX's default
        slope is 0.2): another one is a free op of its own name."""
        if node.op_type != "HardSigmoid":
            return True
        alpha, beta = float(attr(node, "alpha", 0.2)), float(attr(node, "beta", 0.5))
        return abs(alpha - 1 / 6) < 1e-6 and abs(beta - 0.5) < 1e-6

    def weight(self, name: str) -> tuple[int, ...] | None:
        """The shape of a weight: an initializer, or a constant the graph computes from one
        (PyTorch's training export transposes a linear's weight in the graph)."""
        t = self.tensors.get(name)
        if t is None or t.layer is not None or not t.shape:
            return None
        return tuple(int(v) for v in t.shape)

    def learnt(self, node: Any, slots: Iterable[int]) -> bool:
        return all(
            len(node.input) > i and node.input[i] in self.inits for i in slots
        )  # fmt: skip

    def conv(self, node: Any, x: str) -> Layer:
        w = self.weight(node.input[1])
        if w is None:
            raise self.f.err("E0951", op=node.op_type, name=node.name or "?")
        if _MADE.match(node.input[1]) and node.input[1] in self.inits:
            self.made += 1  # a weight the exporter computed: a BatchNorm folded into it
        xs = self.tensors[x].shape
        k = w[2:]
        n = len(k)
        s = tuple(attr(node, "strides", [1] * n))
        d = tuple(attr(node, "dilations", [1] * n))
        g = int(attr(node, "group", 1))
        bias = len(node.input) > 2 and bool(node.input[2])
        auto = attr(node, "auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        pads = list(attr(node, "pads", [0] * 2 * n))
        if node.op_type == "ConvTranspose":
            outp = tuple(attr(node, "output_padding", [0] * n))
            if auto not in ("NOTSET", "VALID") or attr(node, "output_shape") is not None:
                shape, _ = self.per_sample(node.output[0], node)
                # the total padding that gives the file's output size, split as ONNX does
                sizes = zip(xs[1:], shape[1:], k, s, d, outp)
                tot = [(i - 1) * ss + (kk - 1) * dd + 1 + op - o for i, o, kk, ss, dd, op in sizes]
                pads = [t // 2 for t in tot] + [t - t // 2 for t in tot]
            if pads[:n] != pads[n:]:
                raise self.f.err("E0951", op=node.op_type, name=node.name or "?")
            return ConvTranspose(out_channels=w[1] * g, kernel_size=k, stride=s,
                                 padding=tuple(pads[:n]), output_padding=outp, dilation=d,
                                 groups=g, bias=bias)  # fmt: skip
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            pairs = []
            for i, kk, ss, dd in zip(xs[1:], k, s, d):
                o = -(-i // ss)
                total = max((o - 1) * ss + (kk - 1) * dd + 1 - i, 0)
                low, high = total // 2, total - total // 2
                pairs.append((low, high) if auto == "SAME_UPPER" else (high, low))
            pad: Any = tuple(pairs)
        elif auto == "VALID":
            pad = ((0, 0),) * n
        elif pads[:n] == pads[n:]:  # the same on both sides: PyTorch's `padding`
            pad = tuple(int(p) for p in pads[:n])
        else:
            pad = tuple((int(pads[i]), int(pads[i + n])) for i in range(n))
        return Conv(out_channels=w[0], kernel_size=k, stride=s, padding=pad,
                    dilation=d, groups=g, bias=bias)  # fmt: skip

    def gemm(self, node: Any, first: bool) -> Layer:
        w = self.weight(node.input[1])
        xs = self.tensors[node.input[0]].shape
        if w is None or not first or attr(node, "transA", 0) or len(xs) != 1 or len(w) != 2:
            raise self.f.err("E0951", op="Gemm", name=node.name or "?")
        n = w[0] if attr(node, "transB", 0) else w[1]
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

    def pool(self, node: Any, out: str) -> Layer | Merge:
        k = tuple(attr(node, "kernel_shape"))
        n = len(k)
        pads = list(attr(node, "pads", [0] * 2 * n))
        auto = attr(node, "auto_pad", b"NOTSET")
        if pads[:n] != pads[n:] or auto not in (b"NOTSET", "NOTSET"):
            return self.generic(node, [node.input[0]], out)
        s = tuple(attr(node, "strides", [1] * n))
        d = tuple(attr(node, "dilations", [1] * n))
        ceil = bool(attr(node, "ceil_mode", 0))
        if node.op_type == "MaxPool":
            return MaxPool(kernel_size=k, stride=s, padding=tuple(pads[:n]), dilation=d,
                           ceil_mode=ceil)  # fmt: skip
        include = bool(attr(node, "count_include_pad", 0))
        return AvgPool(kernel_size=k, stride=s, padding=tuple(pads[:n]), ceil_mode=ceil,
                       count_include_pad=include)  # fmt: skip


def _text(value: Any) -> str:
    """A string attribute (onnx hands them as bytes)."""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _f32(value: float) -> float:
    """A float attribute as written in PyTorch (`1e-05`, not float32's 9.99999974e-06)."""
    return float(f"{float(value):.6g}")


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
