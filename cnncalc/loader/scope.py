"""Names: the scopes of a network, block call and branch; references (`from:`, merges,
`outputs`); automatic names (`conv1`, `relu_2`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from cnncalc.errors import Msg, Pos
from cnncalc.layers import KINDS, BatchNorm, Conv
from cnncalc.layers.registry import PYTORCH_NAMES
from cnncalc.loader.nodes import SNode
from cnncalc.loader.values import Ctx, describe, listed, scalar, unknown_hint

#: how many names an "unknown reference" hint lists
_SHOWN = 12


@dataclass
class Scope:
    """Names visible inside one sequence of items (the network, a block call, a branch)."""

    prefix: str
    input: str
    params: Mapping[str, SNode]
    cin: int
    names: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    #: the explicit names of the items, known before they are made: name -> its `name:` node
    reserved: dict[str, SNode] = field(default_factory=dict)
    #: the enclosing sequence of a branch or shortcut, whose names stay visible inside it
    parent: Scope | None = None
    #: the names of items left out by `if:` -> what they would have received
    absent: dict[str, str] = field(default_factory=dict)
    #: the names of the items being made (a reference to one is a layer taking its own output)
    building: set[str] = field(default_factory=set)

    def last(self) -> str:
        return self.history[-1] if self.history else self.input

    def lookup(self, name: str) -> str | None:
        scope: Scope | None = self
        whole, _, index = name.rpartition(".")
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            if index.isdigit() and whole in scope.absent:  # a part of a split left out
                return scope.absent[whole]
            scope = scope.parent
        return None

    def visible(self) -> list[str]:
        out: dict[str, None] = {}  # (a dict: a list's `in` made this quadratic)
        scope: Scope | None = self
        while scope is not None:
            out.update(dict.fromkeys(scope.names))
            scope = scope.parent
        return list(out)

    def nested(self, prefix: str, src: str) -> Scope:
        """A branch, shortcut or repeat copy: its own names, the enclosing ones visible, and
        the same block parameters and `cin` (the channels entering the block)."""
        return Scope(prefix, src, self.params, self.cin, parent=self)

    def sibling(self, src: str) -> Scope:
        """A residual body: a new sequence whose names are the enclosing scope's own (its
        layers live in the enclosing module, like the layers of a torchvision block)."""
        return Scope(self.prefix, src, self.params, self.cin, self.names, [], self.counters,
                     self.reserved, self.parent, self.absent, self.building)  # fmt: skip

    def auto(self, base: str) -> str:
        n = self.counters.get(base, 0)
        sep = "_" if base[-1:].isdigit() else ""  # relu6_1, not relu61
        while True:
            n += 1
            name = f"{base}{sep}{n}"
            if name not in self.reserved and name not in self.names:
                self.counters[base] = n
                return name

    def push(self, name: str, out: str) -> None:
        """Item `name` made the tensor `out`."""
        self.names[name] = out
        self.history.append(out)

    def reserve(self, items: Sequence[SNode]) -> None:
        """Explicit names are known up front, so that automatic ones never take them and a
        reference to one not made yet is told apart from an unknown one. The names inside a
        residual's body are this scope's own (`sibling`) and are reserved with it."""
        for item in items:
            if not isinstance(item, yaml.MappingNode):
                continue
            keys = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            name = keys.get("name")
            if isinstance(name, yaml.ScalarNode):
                self.reserved.setdefault(str(name.value), name)
            body = residual_body(keys)
            if body is not None and "repeat" not in keys:
                self.reserve(body)


@dataclass(frozen=True)
class BlockDef:
    """A block as declared under `blocks:`: its parameters (None = required), its layers,
    and whether every call of it is frozen."""

    name: str
    params: Mapping[str, SNode | None]
    layers: SNode
    pos: Pos
    frozen: bool = False
    required: tuple[str, ...] = ()  # the parameters without a default, in declared order


def residual_body(keys: Mapping[str, SNode]) -> list[SNode] | None:
    """The items of a residual's body, from an item's keys, when it is one."""
    value = keys.get("residual")
    if not isinstance(value, yaml.MappingNode):
        return None
    body = {k.value: v for k, v in value.value if isinstance(k, yaml.ScalarNode)}.get("body")
    return list(body.value) if isinstance(body, yaml.SequenceNode) else None


def base_name(op: str) -> str:
    """The stem of an op's automatic names: `conv` for every conv, `linear` for `fc`, the op a
    PyTorch class name stands for (`relu` for `ReLU`, `maxpool` for `MaxPool2d`)."""
    op = PYTORCH_NAMES.get(op, op)
    kind = KINDS[op]
    if kind.cls is Conv or kind.cls is BatchNorm:
        return kind.cls.kind
    if op in ("deconv", "conv_transpose"):
        return "convT"
    return {"fc": "linear", "swish": "silu"}.get(op, op)


def _in_scope(names: Sequence[str]) -> str | Msg:
    shown = ", ".join(names[:_SHOWN])
    more = len(names) - _SHOWN
    return Msg("N0318", names=shown, n=more) if more > 0 else shown


def ref(ctx: Ctx, scope: Scope, node: SNode) -> str:
    """The tensor a reference names: a name in scope, `prev`, `input` or -N (N items back)."""
    v = scalar(ctx, node)
    if isinstance(v, int) and not isinstance(v, bool):
        if v >= 0:
            raise ctx.err(node, "E0345", v=v)
        if -v == len(scope.history) + 1:  # the item before the first is the input
            return scope.input
        if -v > len(scope.history):
            raise ctx.err(node, "E0346", v=v, n=len(scope.history))
        return scope.history[v]
    if not isinstance(v, str):
        raise ctx.err(node, "E0347", got=describe(node))
    if v == "prev":
        return scope.last()
    if v == "input":
        return scope.input
    found = scope.lookup(v)
    if found is not None:
        return found
    not_yet(ctx, scope, v, node)
    known = [*scope.visible(), "prev", "input"]
    hint = listed(unknown_hint(v, known), Msg("N0302", names=_in_scope(known)))
    raise ctx.err(node, "E0348", hint, ref=v)


def not_yet(ctx: Ctx, scope: Scope, name: str, node: SNode) -> None:
    """A reference to a layer not made yet: its own (a layer taking its own output) or one
    further down (`name.3`, a copy, counts as its item's name, unless that item is made: then
    the part does not exist)."""
    head, _, tail = name.rpartition(".")
    item = head if head and tail.isdigit() and scope.lookup(head) is None else name
    at: Scope | None = scope
    while at is not None:
        if name in at.building or item in at.building:
            raise ctx.err(node, "E0367", ref=name)
        later = at.reserved.get(name) or at.reserved.get(item)
        if later is not None:
            raise ctx.err(node, "E0366", ref=name, line=ctx.pos(later).line)
        at = at.parent
