"""A report's layers as a tree of groups (block calls, repeat copies, structures) under their
dotted names, each group's inputs and outputs, how each group is written (a class, an
`nn.Sequential`, a container called inline), and the forward statements of a class body."""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cnncalc.layers as L
from cnncalc.engine import INPUT, LayerReport, Report
from cnncalc.errors import CnnCalcError
from cnncalc.render.pycode import INDENT, Br, Code, call, lines, py_str
from cnncalc.render.pytorch_layers import (
    _MODULE_ATTRS,
    _REQUIRED,
    _RESERVED,
    Arg,
    Fwd,
    Leaf,
    _module_call,
    leaf,
)

Shape = tuple[int, ...]

# --- the tree of groups ----------------------------------------------------------------------


@dataclass
class Node:
    """A layer or a group of layers (a block call, a repeat copy, a structure) under one
    dotted prefix, with what it reads from outside and what outside reads of it."""

    name: str  # full dotted name ("" for the network)
    local: str
    row: LayerReport | None = None
    leaf: Leaf | None = None
    children: list[Node] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    block: str | None = None  # the block definition a call came from
    call_args: Mapping[str, object] = field(default_factory=dict)
    render: str = ""  # "leaf", "class", "seq", "list", "dict", "flat"
    cls: str = ""  # the class of a "class" group
    class_args: tuple[Arg, ...] = ()
    #: a group whose layers are interrupted by others' (Detect's `cv2` and `cv3` levels, one
    #: after the other): its later runs, each a node of its own that shares its attribute
    parts: list[Node] = field(default_factory=list)
    origin: Node | None = None

    @property
    def members(self) -> list[Node]:
        """The children of every run of this group."""
        return [c for n in (self, *self.parts) for c in n.children]

    @property
    def layers(self) -> list[LayerReport]:
        if self.row is not None:
            return [self.row]
        return [r for c in self.children for r in c.layers]


def _tree(report: Report) -> Node:
    root = Node("", "")
    calls = {c.name: c for c in report.network.calls}
    groups: dict[str, Node] = {"": root}
    for row in report.layers:
        parts = row.name.split(".")
        parent = root
        for i in range(1, len(parts)):
            prefix = ".".join(parts[:i])
            group = groups.get(prefix)
            if group is None or parent.children[-1:] != [group]:
                first = group.origin or group if group is not None else None
                group = Node(prefix, parts[i - 1])
                if first is not None:  # a group that restarts after another's layers
                    group.origin = first
                    first.parts.append(group)
                c = calls.get(prefix)
                if c is not None and first is None:
                    group.block, group.call_args = c.block, dict(c.args)
                groups[prefix] = group
                parent.children.append(group)
            parent = group
        parent.children.append(Node(row.name, parts[-1], row=row, leaf=leaf(row), render="leaf"))
    for group in groups.values():
        for child in group.children:
            if child.local in _MODULE_ATTRS and (
                child.row is None or (child.leaf and child.leaf.init)
            ):
                raise CnnCalcError("E0905", name=child.name, local=child.local)
    for group in groups.values():  # one attribute per name: a layer cannot also be a group
        leaves = {c.local: c for c in group.children if c.row is not None}
        for child in group.children:
            if child.row is None and child.local in leaves:
                inner = child.layers[0].name
                raise CnnCalcError("E0904", name=leaves[child.local].name, inner=inner)
    _interfaces(root, report)
    return root


def _leaf_inputs(n: Node) -> tuple[str, ...]:
    assert n.row is not None and n.leaf is not None
    return (*n.row.inputs, *n.leaf.extra)


def _interfaces(root: Node, report: Report) -> None:
    """Every group's inputs (tensors from outside, in reading order) and outputs (its tensors
    read outside it, or the network's outputs)."""
    readers: dict[str, list[str]] = {}
    for row in report.layers:
        n = Node(row.name, "", row=row, leaf=leaf(row))
        for i in _leaf_inputs(n):
            readers.setdefault(i, []).append(row.name)
    final = set(report.output_names)

    def walk(node: Node) -> set[str]:
        if node.row is not None:
            return {node.row.name}
        inside: set[str] = set()
        for c in node.children:
            inside |= walk(c)
        names = [r.name for r in node.layers]
        ins: dict[str, None] = {}
        for r in node.layers:
            assert r.node is not None
            for i in (*r.inputs, *_extra(r)):
                if i not in inside:
                    ins[i] = None
        node.inputs = list(ins)
        node.outputs = [
            n for n in names if n in final or any(r not in inside for r in readers.get(n, ()))
        ]
        return inside

    walk(root)
    root.inputs = [INPUT]
    root.outputs = list(report.output_names)


def _extra(row: LayerReport) -> tuple[str, ...]:
    layer = row.node.layer
    if isinstance(layer, L.Upsample) and layer.size_of is not None:
        return (layer.size_of,)
    return ()


def _is_chain(node: Node) -> bool:
    """The children call one another in turn, each on the one before's output alone."""
    if len(node.inputs) != 1 or len(node.outputs) != 1 or not node.children:
        return False
    prev = node.inputs[0]
    for c in node.children:
        if c.row is not None:
            if not (c.leaf and c.leaf.plain) or _leaf_inputs(c) != (prev,):
                return False
            out = c.row.name
        else:
            if c.render not in ("class", "seq") or c.inputs != [prev] or len(c.outputs) != 1:
                return False
            out = c.outputs[0]
        prev = out
    last = node.children[-1]
    end = last.row.name if last.row is not None else last.outputs[0]
    return node.outputs == [end]


def _decide(node: Node, front: str) -> None:
    """How each group is written, innermost first."""
    for c in node.children:
        if c.row is None:
            _decide(c, front)
    if node.row is not None or node.name == "":
        node.render = "class" if node.name == "" else node.render
        return
    members = (node.origin or node).members
    numeric = [c.local for c in members] == [str(i) for i in range(len(members))]
    params = any(c.leaf is not None and c.leaf.init is not None and c.leaf.init.param
                 for c in members)  # fmt: skip
    if node.parts or node.origin is not None:  # one container, its layers called in turn
        assert not params, node.name  # a parameter layer sits in a block's own class
        full = all(_has_attr(c) for c in members)
        node.render = "list" if numeric and full else "dict"
    elif node.block is not None:
        node.render = "class"
    elif _is_chain(node):
        node.render = "seq"
    elif params:
        node.render = "class"
    elif numeric and all(_has_attr(c) for c in members):
        node.render = "list"
    else:
        node.render = "dict"


# --- writing ---------------------------------------------------------------------------------


def camel(name: str) -> str:
    """`mobilenet_v2` -> `MobilenetV2`: a class name from a network or block name."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    text = "".join(w[:1].upper() + w[1:] for w in words)
    if not text or text[0].isdigit():
        text = "Net" + text
    return text + "_" if keyword.iskeyword(text) else text


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name not in _MODULE_ATTRS


def _var_name(local: str) -> str:
    text = re.sub(r"\W", "_", local)
    if not text or text[0].isdigit():
        text = "x" + text
    return text + "_" if keyword.iskeyword(text) or text in _RESERVED | {"self"} else text


@dataclass
class Holes:
    """The argument values of one class body, in writing order: two calls with the same text
    around the holes share a class, and a hole whose values differ becomes an argument."""

    values: list[Arg] = field(default_factory=list)

    def add(self, arg: Arg) -> str:
        self.values.append(arg)
        return f"\x00{len(self.values) - 1}\x00"


def _init_code(node: Node, holes: Holes) -> Code:
    """The expression that makes a child: a module, a parameter, a class, a container."""
    if node.row is not None:
        assert node.leaf is not None and node.leaf.init is not None
        init = node.leaf.init
        held = tuple(holes.add(a) for a in init.args)
        if init.param:  # nn.Parameter(torch.full(size, v)): the inner call holds the args
            outer, inner = init.head.split("(")[:2]
            extra = ("requires_grad=False",) if "requires_grad" in init.tail else ()
            return call(outer, Br(inner, held), *extra)
        return Br(init.head[:-1], held, tail=init.tail[1:])
    if node.render == "class":
        return Br(node.cls, tuple(holes.add(a) for a in node.class_args))
    if node.render == "seq":
        if all(c.local == str(i) for i, c in enumerate(node.children)):
            return Br("nn.Sequential", tuple(_init_code(c, holes) for c in node.children))
        pairs = tuple(Br("", (py_str(c.local), _init_code(c, holes))) for c in node.children)
        return call("nn.Sequential", call("OrderedDict", Br("", pairs, "[", "]")))
    members = [c for c in node.members if _has_attr(c)]
    if node.render == "list":
        return call("nn.ModuleList", Br("", tuple(_init_code(c, holes) for c in members), "[", "]"))
    items: list[Code] = []
    for c in members:
        value = _init_code(c, holes)
        label = py_str(c.local) + ": "
        if isinstance(value, str):
            items.append(label + value)
        else:
            items.append(Br(label + value.head, value.items, value.open, value.close, value.tail))
    return call("nn.ModuleDict", Br("", tuple(items), "{", "}"))


def _has_attr(node: Node) -> bool:
    if node.origin is not None:
        return False  # the first run of the group holds the attribute
    if node.row is not None:
        return node.leaf is not None and node.leaf.init is not None
    if node.render in ("class", "seq"):
        return True
    return any(_has_attr(c) for c in node.members)


def _access(base: str, container: str, local: str, index: int) -> str:
    if container == "class":
        return f"{base}.{local}" if _identifier(local) else f"getattr({base}, {py_str(local)})"
    if container == "list":
        return f"{base}[{index}]"
    return f"{base}[{py_str(local)}]"


@dataclass(frozen=True)
class Cond:
    """A forward step of a child some calls leave out: `code` when `cond`, else `fallback`
    (its last input)."""

    code: Code
    cond: str
    fallback: str


@dataclass
class Step:
    """One forward statement: the tensors it makes, the tensors it reads, its expression."""

    outs: list[str]
    ins: list[str]
    expr: Callable[[Sequence[str]], Any]  # Code, or a Cond
    local: str


def _bound(fwd: Fwd, m: str) -> Callable[[Sequence[str]], Code]:
    def expr(xs: Sequence[str]) -> Code:
        return fwd(m, xs)

    return expr


def _steps(node: Node, base: str) -> list[Step]:
    """The forward statements of a class body: a child group written as a container has its
    layers called here one by one."""
    steps: list[Step] = []
    container = node.render
    members = [c for c in (node.origin or node).members if _has_attr(c)]
    for c in node.children:
        at = c.origin or c
        m = _access(base, container, c.local, members.index(at)) if at in members else ""
        if c.row is not None:
            assert c.leaf is not None
            fwd = c.leaf.fwd
            steps.append(Step([c.row.name], list(_leaf_inputs(c)), _bound(fwd, m), c.local))
        elif c.render in ("class", "seq"):
            steps.append(Step(list(c.outputs), list(c.inputs), _bound(_module_call, m), c.local))
        else:
            steps += _steps(c, m)
    return steps


def _forward(
    inputs: Sequence[str], outputs: Sequence[str], steps: list[Step]
) -> tuple[list[str], list[str]]:
    """The forward's parameters and body lines; each tensor in a variable, a variable reused
    once its tensor is read for the last time (`x = self.bn1(x)`)."""
    last: dict[str, int] = {}
    for i, s in enumerate(steps):
        for name in s.ins:
            last[name] = i
    for name in outputs:
        last[name] = len(steps)
    var: dict[str, str] = {}
    live: dict[str, str] = {}  # variable -> the tensor it holds
    params = []
    for i, name in enumerate(inputs):
        v = "x" if i == 0 else f"x{i}"
        var[name], live[v] = v, name
        params.append(v)
    body: list[str] = []
    indent = INDENT * 2
    for i, s in enumerate(steps):
        if len(s.outs) == 1 and s.outs[0] not in last:
            continue  # a tensor nothing reads (a part of a split that no layer takes)
        args = [var[n] for n in s.ins]
        free = []
        for n in dict.fromkeys(s.ins):
            if last.get(n, -1) <= i and live.get(var[n]) == n:
                free.append(var[n])
                del live[var[n]]
        targets = []
        for out in s.outs:
            if free:
                v = free.pop(0)
            elif "out" not in live and "out" not in targets and len(s.outs) == 1:
                v = "out"
            else:
                v = base = _var_name(s.local if len(s.outs) == 1 else out.rsplit(".", 1)[-1])
                k = 1
                while v in live or v in targets:
                    k += 1
                    v = f"{base}_{k}"
            var[out], live[v] = v, out
            targets.append(v)
        code = s.expr(args)
        target = ", ".join(targets) + " = "
        if isinstance(code, Cond):  # a child this call of the block leaves out: its input
            body += [f"{indent}if {code.cond}:", *lines(code.code, indent + INDENT, target)]
            if targets != [code.fallback]:
                body += [f"{indent}else:", f"{indent}{INDENT}{target}{code.fallback}"]
        else:
            body += lines(code, indent, target)
    outs = [var[n] for n in outputs]
    body.append(f"{indent}return {', '.join(outs)}")
    return params, body


def _fill(code: Code, fill: Callable[[int], str | None]) -> Code | None:
    """The code with each hole filled (`fill` None: the argument is left out)."""
    if isinstance(code, str):
        found = re.fullmatch("\x00(\\d+)\x00", code)
        return fill(int(found.group(1))) if found else code
    items = tuple(i for i in (_fill(c, fill) for c in code.items) if i is not None)
    return Br(code.head, items, code.open, code.close, code.tail)


def _same(a: Sequence[object], b: Sequence[object]) -> bool:
    return len(a) == len(b) and all(type(x) is type(y) and x == y for x, y in zip(a, b))


def _is_default(arg: Arg) -> bool:
    if arg.default is _REQUIRED:
        return False
    return type(arg.value) is type(arg.default) and arg.value == arg.default


def _annotation(values: list[object]) -> str:
    types = {type(v) for v in values}
    if types == {bool}:
        return ": bool"
    if types == {int}:
        return ": int"
    if types and types <= {int, float}:
        return ": float"
    if types == {str}:
        return ": str"
    return ""


#: the constructor arguments that are the size of the input
_INPUT_SIZES = frozenset({"in_channels", "in_features", "num_features", "num_channels",
                          "normalized_shape", "embed_dim", "dim"})  # fmt: skip
_HELPER_NAMES = frozenset({"ChannelLayerNorm", "DropPath", "ShiftedWindowAttention",
                           "space_to_depth"})  # fmt: skip
