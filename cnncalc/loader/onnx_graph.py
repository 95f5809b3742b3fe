"""The graph-level steps of reading an ONNX file: every tensor's shape after inference, the
small initializers as arrays, and the folding of constant subgraphs (shape arithmetic) that shape
inference cannot see through. Imported only for an `.onnx` input (it imports numpy and onnx)."""

from __future__ import annotations

from typing import Any

from cnncalc.layers import prod
from cnncalc.loader.source import MAX_NAME

#: the largest size an axis may declare (the graph input, or any inferred tensor)
MAX_DIM = 2**31 - 1
#: initializers above this many elements lose their payload before inference (only `dims` count)
KEEP_ELEMENTS = 4096
#: `TensorProto.EXTERNAL`: the tensor's numbers are in another file
EXTERNAL = 1
#: the most elements one folded constant may have (shape arithmetic is a few numbers)
_FOLD_ELEMENTS = 100_000


#: every tensor's shape by name (None where inference found none)
Shapes = dict[str, "tuple[int, ...] | None"]


def clip(text: str, n: int = MAX_NAME) -> str:
    """A name from the file, cut to what a message quotes."""
    return text if len(text) <= n else text[: n - 1] + "…"


def shapes(graph: Any) -> dict[str, tuple[int, ...] | None]:
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


def constants(graph: Any) -> dict[str, Any]:
    """The initializers whose numbers are in the file (the small ones), as arrays; data stored
    beside the file is never opened (its path is the file's to choose: `/dev/zero` too)."""
    from onnx import numpy_helper

    out = {}
    for t in graph.initializer:
        if prod(tuple(t.dims)) <= KEEP_ELEMENTS and t.data_location != EXTERNAL:
            try:
                out[t.name] = numpy_helper.to_array(t)
            except Exception:  # noqa: BLE001, S112 - a payload that does not decode: not folded
                continue
    return out


def fold(graph: Any, shapes: Shapes, consts: dict[str, Any]) -> bool:
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


def attr(node: Any, name: str, default: Any = None) -> Any:
    from onnx import helper

    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _evaluate(node: Any, shapes: Shapes, consts: dict[str, Any]) -> list[Any] | None:
    """The outputs of one small constant node as arrays, or None (not foldable here)."""
    import numpy as np
    from onnx import numpy_helper

    op = node.op_type
    if node.domain not in ("", "ai.onnx"):
        return None
    if op == "Constant":
        t = attr(node, "value")
        if t is None or prod(tuple(t.dims)) > _FOLD_ELEMENTS or t.data_location == EXTERNAL:
            return None
        return [numpy_helper.to_array(t)]
    if op == "Shape":
        s = shapes.get(node.input[0])
        if s is None:
            return None
        start, end = attr(node, "start", 0), attr(node, "end", None)
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
    a: Any = ins[0] if ins else None
    b: Any = ins[1] if len(ins) > 1 else None
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
        return [np.fmod(a, b) if attr(node, "fmod", 0) else np.mod(a, b)]
    if op == "Cast":
        from onnx import helper

        return [a.astype(helper.tensor_dtype_to_np_dtype(attr(node, "to")))]
    if op == "Gather":
        return [np.take(a, b, axis=attr(node, "axis", 0))]
    if op == "Unsqueeze":
        axes = b if b is not None else attr(node, "axes")
        out = a
        for ax in sorted(int(v) % (a.ndim + len(axes)) for v in axes):
            out = np.expand_dims(out, ax)
        return [out]
    if op == "Squeeze":
        axes = b if b is not None else attr(node, "axes")
        return [np.squeeze(a, axis=None if axes is None else tuple(int(v) for v in axes))]
    if op == "Concat":
        return [np.concatenate([np.atleast_1d(v) for v in ins], axis=attr(node, "axis"))]
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
        value = attr(node, "value")
        fill = np.zeros(1, np.float32) if value is None else _to_array(value)
        if prod(tuple(int(v) for v in a)) > _FOLD_ELEMENTS:
            return None
        return [np.full(tuple(int(v) for v in a), fill.reshape(-1)[0], dtype=fill.dtype)]
    if op == "Range":
        return [np.arange(a, b, ins[2]).astype(a.dtype)]
    if op == "Where":
        return [np.where(a, b, ins[2])]
    if op == "ReduceProd":
        return [np.prod(a, keepdims=bool(attr(node, "keepdims", 1)))]
    if op == "Transpose":
        return [np.transpose(a, attr(node, "perm"))]
    return None


def _to_array(t: Any) -> Any:
    from onnx import numpy_helper

    return numpy_helper.to_array(t)
