"""A network as PyTorch source: a report in, the text of a self-contained Python module out.

The module holds one `nn.Module` class per block definition (per Ultralytics module for a YOLO
file) and a top class for the network. Every layer is an attribute named as cnncalc names it, so
`state_dict()` keys are the names `params` shows: a name that is no Python attribute (`layer1.0`)
lives in an `nn.Sequential`, `nn.ModuleList` or `nn.ModuleDict`, or is added with `add_module`.
Constructor arguments are PyTorch's, those equal to PyTorch's defaults left out. A group of
layers that is not a block call is an `nn.Sequential` when its layers form a chain, else a
container whose layers the enclosing forward calls one by one. The calls of one block definition
share a class when they build the same structure (their differing numbers become the class's
arguments, named after the block's parameters where the values tell which); a call that builds
another structure (a residual without its shortcut) gets a class of its own, numbered.

Nothing here imports torch: the text does, when it is run.
"""

from __future__ import annotations

import keyword
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cnncalc.engine import Report
from cnncalc.errors import CnnCalcError
from cnncalc.messages import t
from cnncalc.messages.escape import visible
from cnncalc.render.pycode import INDENT, Br, Code, call, flat, lines, py_str, py_value
from cnncalc.render.pytorch_layers import (
    _RESERVED,
    Arg,
    _module_call,
)
from cnncalc.render.pytorch_tree import (
    _HELPER_NAMES,
    _INPUT_SIZES,
    Cond,
    Holes,
    Node,
    Step,
    _access,
    _annotation,
    _bound,
    _decide,
    _fill,
    _forward,
    _has_attr,
    _identifier,
    _init_code,
    _is_default,
    _leaf_inputs,
    _same,
    _steps,
    _tree,
    _var_name,
    camel,
)

Shape = tuple[int, ...]


def check_class_name(name: str) -> None:
    """`--class-name`: a Python identifier that the module does not use for anything else."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise CnnCalcError("E0901", name=visible(name))
    if name in _RESERVED | _HELPER_NAMES:
        raise CnnCalcError("E0902", name=name, names=", ".join(sorted(_RESERVED | _HELPER_NAMES)))


_ABSENT = object()  # a value of a layer that one call of a block does not have


@dataclass
class Unit:
    """One child of a class body: its attribute's code (holes for its argument values), and
    its forward step, its tensors named relative to the call (`conv1`, `<in0>`)."""

    local: str
    key: str  # the child's code around its holes: two calls' children compare by it
    code: Code | None  # None: no attribute (computed inline)
    holes: list[Arg]
    step: Step
    param: bool = False
    access: str = ""  # how forward reaches its attribute (`self.conv1`, `self[0]`)


@dataclass
class Body:
    """One call of a block (or the network): its children, inputs and outputs."""

    node: Node
    units: list[Unit]
    inputs: list[str]
    outputs: list[str]
    flat: bool  # every child is a layer or a class or sequential call (no container inlined)

    def signature(self) -> str:
        parts = [f"{u.local}|{u.key}|{u.step.ins}|{u.step.outs}" for u in self.units]
        return "\n".join([*parts, f"{self.inputs}", f"{self.outputs}"])


@dataclass
class Slot:
    """A child of the class: the union over the calls it stands for."""

    unit: Unit  # from the first call that has it
    present: list[int]  # the indices of the calls that have it
    ins: list[str]
    optional: bool = False
    #: the child in each call that has it, by the call's index
    units: dict[int, Unit] = field(default_factory=dict)


def _rel(node: Node) -> Callable[[str], str]:
    """A tensor's name relative to a call: `<in0>` for its first input, `conv1` for its
    layer `layer1.0.conv1`."""
    prefix = node.name + "." if node.name else ""
    index = {name: i for i, name in enumerate(node.inputs)}

    def rel(name: str) -> str:
        if name in index:
            return f"<in{index[name]}>"
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    return rel


def _body(node: Node) -> Body:
    rel = _rel(node)
    units: list[Unit] = []
    flat_ = True
    container = node.render
    members = [c for c in (node.origin or node).members if _has_attr(c)]
    for c in node.children:
        m = _access("self", container, c.local, members.index(c)) if c in members else ""
        holes = Holes()
        code = _init_code(c, holes) if c in members else None
        text = "" if code is None else flat(code)
        if c.row is None and c.render not in ("class", "seq"):  # a container, called inline
            flat_ = False
            inner = [Step([rel(o) for o in s.outs], [rel(i) for i in s.ins], s.expr, s.local)
                     for s in _steps(c, m)]  # fmt: skip
            for k, step in enumerate(inner):
                last = k == len(inner) - 1
                key = f"{flat(step.expr(step.ins))}|{text if last else ''}|{len(holes.values)}"
                units.append(Unit(c.local, key, code if last else None,
                                  holes.values if last else [], step))  # fmt: skip
            continue
        if c.row is not None:
            assert c.leaf is not None
            fwd, key = c.leaf.fwd, c.leaf.fwd_key
            step = Step([rel(c.row.name)], [rel(i) for i in _leaf_inputs(c)], _bound(fwd, m),
                        c.local)  # fmt: skip
            param = c.leaf.init is not None and c.leaf.init.param
        else:
            key = "call"
            step = Step([rel(o) for o in c.outputs], [rel(i) for i in c.inputs],
                        _bound(_module_call, m), c.local)  # fmt: skip
            param = False
        units.append(Unit(c.local, f"{key}|{text}|{len(holes.values)}", code, holes.values,
                          step, param, m))  # fmt: skip
    ins = [rel(i) for i in node.inputs]
    return Body(node, units, ins, [rel(o) for o in node.outputs], flat_)


def _height(node: Node) -> int:
    """How deep the block calls inside a node go (0: none)."""
    inner = [_height(c) + (c.render == "class") for c in node.children if c.row is None]
    return max(inner, default=0)


def _union(bodies: list[Body]) -> tuple[list[Slot], list[str]] | None:
    """The children of one class for calls whose structures differ by children that some
    calls leave out (a shortcut, the add of a residual): each left-out child passes its last
    input on. None when the calls differ otherwise."""
    if any(not b.flat for b in bodies):
        return None
    order: list[str] = []
    for b in sorted(bodies, key=lambda b: -len(b.units)):
        locals_ = [u.local for u in b.units]
        if len(set(locals_)) != len(locals_):
            return None
        at = 0
        for name in locals_:
            if name in order:
                at = order.index(name) + 1
            else:
                order.insert(at, name)
                at += 1
    slots: list[Slot] = []
    for name in order:
        present = [i for i, b in enumerate(bodies) if any(u.local == name for u in b.units)]
        units = [next(u for u in bodies[i].units if u.local == name) for i in present]
        if len({u.key for u in units}) > 1 or len({tuple(u.step.outs) for u in units}) > 1:
            return None
        if len(present) < len(bodies) and (len(units[0].step.outs) != 1 or units[0].param):
            return None
        slots.append(Slot(units[0], present, [], len(present) < len(bodies),
                          dict(zip(present, units))))  # fmt: skip
    producer = {o: s for s in slots for o in s.unit.step.outs}

    def resolve(ref: str, i: int) -> str:
        for _ in slots:  # a left-out child is its last input, which may be left out too
            slot = producer.get(ref)
            if slot is None or i in slot.present or not slot.ins:
                break
            ref = slot.ins[-1]
        return ref

    for slot in slots:  # the inputs of the call that, resolved, fit every call
        mine = {i: next(u for u in bodies[i].units if u.local == slot.unit.local)
                for i in slot.present}  # fmt: skip
        for cand in dict.fromkeys(tuple(u.step.ins) for u in mine.values()):
            slot.ins = list(cand)
            if all([resolve(r, i) for r in cand] == u.step.ins for i, u in mine.items()):
                break
        else:
            return None
    for cand_out in dict.fromkeys(tuple(b.outputs) for b in bodies):
        if all([resolve(r, i) for r in cand_out] == b.outputs for i, b in enumerate(bodies)):
            outputs = list(cand_out)
            break
    else:
        return None
    seen = set(bodies[0].inputs)
    for slot in slots:  # still in an order that computes each tensor before its use
        if any(r not in seen for r in slot.ins):
            return None
        seen.update(slot.unit.step.outs)
    return slots, outputs


class Writer:
    """Writes the classes, innermost block first, and collects the helpers they need."""

    def __init__(self, top: str) -> None:
        self.top = top
        self.taken = {top}
        self.helpers: dict[str, None] = {}
        self.ordered = False
        self.out: list[str] = []

    def name_class(self, wanted: str) -> str:
        name, k = wanted, 1
        while name in self.taken or name in _RESERVED or name in _HELPER_NAMES:
            k += 1
            name = f"{wanted}{k}"
        self.taken.add(name)
        return name

    def write(self, root: Node) -> list[str]:
        calls: dict[str, list[Node]] = {}
        height: dict[str, int] = {}

        def walk(node: Node) -> None:
            for c in node.children:
                if c.row is not None:
                    assert c.leaf is not None
                    self.helpers.update(dict.fromkeys(c.leaf.helpers))
                else:
                    walk(c)
            if node.render == "seq" and any(c.local != str(i) for i, c in enumerate(node.children)):
                self.ordered = True
            if node.render == "class" and node is not root:
                block = node.block or node.local
                calls.setdefault(block, []).append(node)
                height[block] = max(height.get(block, 0), _height(node))

        walk(root)
        for block in sorted(calls, key=lambda b: height[b]):  # inner blocks first (stable)
            self.block(block, calls[block])
        root.cls = self.top
        body = _body(root)
        slots = [Slot(u, [0], u.step.ins, False, {0: u}) for u in body.units]
        self.out += ["", "", *self.write_class(self.top, [body], slots, body.outputs)]
        return self.out

    def block(self, block: str, nodes: list[Node]) -> None:
        bodies = [_body(n) for n in nodes]
        variants: dict[str, list[Body]] = {}
        for b in bodies:
            variants.setdefault(b.signature(), []).append(b)
        groups = list(variants.values())
        union = _union(bodies) if len(groups) > 1 else None
        if union is not None:
            groups = [bodies]
        for group in groups:
            cls = self.name_class(camel(block))
            if union is not None:
                slots, outputs = union
            else:
                first = group[0]
                slots = [
                    Slot(u, list(range(len(group))), u.step.ins, False,
                         {bi: b.units[ui] for bi, b in enumerate(group)})
                    for ui, u in enumerate(first.units)
                ]  # fmt: skip
                outputs = first.outputs
            self.out += ["", "", *self.write_class(cls, group, slots, outputs)]

    def write_class(
        self, cls: str, bodies: list[Body], slots: list[Slot], outputs: list[str]
    ) -> list[str]:
        """The class for `bodies` (its calls), and each call's arguments set on its node."""
        # one column per hole: its value in each call (absent where the call lacks the child)
        columns: list[list[object]] = []
        where: list[tuple[int, int]] = []  # (slot, hole)
        for si, slot in enumerate(slots):
            for hi in range(len(slot.unit.holes)):
                col: list[object] = [_ABSENT] * len(bodies)
                for bi in slot.present:
                    col[bi] = slot.units[bi].holes[hi].value
                columns.append(col)
                where.append((si, hi))
        names = self.arg_names(bodies, slots, columns, where) if cls != self.top else []
        names = names or [""] * len(columns)
        params: dict[str, list[object]] = {}
        for n, col in zip(names, columns):
            if n:
                merged = params.setdefault(n, [_ABSENT] * len(bodies))
                for i, v in enumerate(col):
                    if v is not _ABSENT:
                        merged[i] = v
        flags = [s for s in slots if s.optional]
        flag_name = {id(s): self.flag(s, params) for s in flags}
        for bi, b in enumerate(bodies):
            args = [Arg(n, col[bi]) for n, col in params.items() if col[bi] is not _ABSENT]
            args += [Arg(flag_name[id(s)], True) for s in flags if bi in s.present]
            b.node.cls = cls
            b.node.class_args = tuple(args)
        required = [n for n, col in params.items() if _ABSENT not in col]
        sig = ["self", *(n + _annotation(params[n]) for n in required)]
        for n, col in params.items():
            if n not in required:
                ann = _annotation([v for v in col if v is not _ABSENT])
                sig.append(f"{n}{ann} | None = None" if ann else f"{n}=None")
        sig += [f"{flag_name[id(s)]}: bool = False" for s in flags]
        hole_name = dict(zip(where, names))
        first_value = dict(zip(where, columns))
        out = [f"class {cls}(nn.Module):"]
        out += lines(Br("def __init__", tuple(sig), tail=" -> None:"), INDENT)
        out.append(f"{INDENT * 2}super().__init__()")
        steps: list[Step] = []
        for si, slot in enumerate(slots):
            unit = slot.unit

            def fill(i: int, si: int = si, unit: Unit = unit) -> str | None:
                arg = unit.holes[i]
                name = hole_name.get((si, i), "")
                if name:
                    value = name
                else:
                    col = first_value[(si, i)]
                    arg = Arg(arg.name, next(v for v in col if v is not _ABSENT), arg.default,
                              arg.positional)  # fmt: skip
                    if _is_default(arg):
                        return None
                    value = py_value(arg.value)
                return value if arg.positional else f"{arg.name}={value}"

            flag = flag_name.get(id(slot))
            if unit.code is not None:
                code = _fill(unit.code, fill)
                assert code is not None
                out += self.attribute(unit, code, flag)
            elif flag is not None:
                out.append(f"{INDENT * 2}self.{flag} = {flag}")
            step = Step(unit.step.outs, slot.ins, unit.step.expr, unit.local)
            if flag is not None:
                step = self.optional(step, unit, flag)
            steps.append(step)
        out.append("")
        fparams, body = _forward(bodies[0].inputs, outputs, steps)
        ret = "torch.Tensor" if len(outputs) == 1 else "tuple[torch.Tensor, ...]"
        fsig = ("self", *(f"{p}: torch.Tensor" for p in fparams))
        out += lines(Br("def forward", fsig, tail=f" -> {ret}:"), INDENT)
        out += body
        return out

    def attribute(self, unit: Unit, code: Code, flag: str | None) -> list[str]:
        """`self.name = …`; for a child some calls leave out, None unless its flag is set."""
        indent = INDENT * 2
        if _identifier(unit.local):
            if flag is None:
                return lines(code, indent, f"self.{unit.local} = ")
            return [f"{indent}self.{unit.local} = None", f"{indent}if {flag}:",
                    *lines(code, indent + INDENT, f"self.{unit.local} = ")]  # fmt: skip
        method = "register_parameter" if unit.param else "add_module"
        made = lines(call(f"self.{method}", py_str(unit.local), code), indent)
        if flag is None:
            return made
        empty = f"{indent}self.{method}({py_str(unit.local)}, None)"
        return [empty, f"{indent}if {flag}:", *(INDENT + line for line in made)]

    def optional(self, step: Step, unit: Unit, flag: str) -> Step:
        """A child some calls leave out: there it passes its last input on."""
        expr = step.expr
        inline = unit.code is None

        def run(xs: Sequence[str]) -> Cond:
            code = expr(xs)
            if inline:
                return Cond(code, f"self.{flag}", xs[-1])
            return Cond(code, f"{unit.access} is not None", xs[-1])

        return Step(step.outs, step.ins, run, step.local)

    def flag(self, slot: Slot, params: Mapping[str, object]) -> str:
        name = _var_name(slot.unit.local)
        base, k = name, 1
        while name in params or name in ("self",):
            k += 1
            name = f"{base}{k}"
        return name

    def arg_names(
        self,
        bodies: list[Body],
        slots: list[Slot],
        columns: list[list[object]],
        where: list[tuple[int, int]],
    ) -> list[str]:
        """A name per hole whose value differs between the calls ("" for a constant): the
        block parameter whose value it is in every call, else torch's argument name; two
        holes with the same values share a name."""
        names: list[str] = []
        named: dict[str, list[object]] = {}
        for col, (si, hi) in zip(columns, where):
            arg = slots[si].unit.holes[hi]
            known = [v for v in col if v is not _ABSENT]
            if _same(known, [known[0]] * len(known)):
                names.append("")
                continue
            same = [n for n, c in named.items() if _fits(c, col)]
            if same:
                names.append(same[0])
                _merge_into(named[same[0]], col)
                continue
            keys = [k for k in bodies[0].node.call_args if k != "cin"]
            # an input size is `cin` where it is (else the parameter it also equals)
            keys.insert(0 if arg.name in _INPUT_SIZES else len(keys), "cin")
            name = ""
            for key in keys:
                values = [b.node.call_args.get(key, _ABSENT) for b in bodies]
                if _fits(values, col) and all(v is not _ABSENT for v in values):
                    name = key
                    break
            name = _var_name(name or arg.name)
            base, k = name, 1
            while name in named:
                k += 1
                name = f"{base}{k}"
            named[name] = list(col)
            names.append(name)
        return names


def _fits(a: Sequence[object], b: Sequence[object]) -> bool:
    """Equal wherever both have a value."""
    return len(a) == len(b) and all(
        x is _ABSENT or y is _ABSENT or (type(x) is type(y) and x == y) for x, y in zip(a, b)
    )


def _merge_into(into: list[object], col: Sequence[object]) -> None:
    for i, v in enumerate(col):
        if v is not _ABSENT:
            into[i] = v


def render_pytorch(report: Report, class_name: str | None = None, lang: str = "en") -> str:
    """The network as the text of a Python module defining `class_name` (by default the
    network's name in CamelCase)."""
    top = class_name or camel(report.network.name or "net")
    root = _tree(report)
    _decide(root, report.network.front)
    writer = Writer(top)
    classes = writer.write(root)
    doc = t("export.pytorch.doc", lang, name=report.network.name or top, cls=top)
    wrapped = textwrap.fill(_docstring(doc), 82, break_long_words=False, break_on_hyphens=False)
    head = [f'"""{wrapped}"""', ""]
    if writer.ordered:
        head += ["from collections import OrderedDict", ""]
    head += ["import torch", "from torch import nn"]
    helpers = [h.strip("\n").split("\n") for h in writer.helpers]
    out = head
    for h in helpers:
        out += ["", "", *h]
    out += classes
    return "\n".join(out) + "\n"


def _docstring(text: str) -> str:
    """User text (a network's name) safe inside a triple-quoted docstring."""
    safe = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return safe.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').rstrip('"')
