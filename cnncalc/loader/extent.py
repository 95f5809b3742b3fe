"""How many layers an item makes at least, known before it is expanded: the layer limit is
checked from multiplied counts (`repeat:` of blocks that `repeat:` blocks), so a file past it
stops at once, where it crosses the limit, before a copy is made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import yaml

from cnncalc.layers import KINDS
from cnncalc.loader.nodes import SNode
from cnncalc.loader.scope import BlockDef
from cnncalc.loader.source import MAX_DEPTH

STRUCTURES = ("residual", "parallel")
META_KEYS = ("name", "from", "repeat", "first", "if", "frozen")
#: counts stop growing here: only their comparison with the limit matters, and a lower bound
#: stays one (a hostile file can multiply `repeat: 10^18` two hundred times)
SATURATED = 10**18


def _sat(n: int) -> int:
    return min(n, SATURATED)


def op_of(item: SNode) -> tuple[str, SNode | None, SNode | None] | None:
    """(op, its value, the `repeat:` value) of an item, or None when it is malformed (the
    expansion says how) or optional (`if:`: it may make no layer)."""
    if isinstance(item, yaml.ScalarNode):
        return item.value, None, None
    if not isinstance(item, yaml.MappingNode):
        return None
    ops = []
    repeat = None
    for key, value in item.value:
        if not isinstance(key, yaml.ScalarNode):
            return None
        if key.value == "repeat":
            repeat = value
        elif key.value == "if":  # an optional item may make no layer at all
            return None
        elif key.value not in META_KEYS:
            ops.append((key.value, value))
    if len(ops) != 1:
        return None
    return ops[0][0], ops[0][1], repeat


def repeat_count(node: SNode | None) -> int:
    """The count of a `repeat:` as written, 1 without one, 0 when it is not a count."""
    if node is None:
        return 1
    if not isinstance(node, yaml.ScalarNode) or node.style:
        return 0
    text = node.value.replace("_", "")
    if text.isascii() and text.isdigit():
        return int(text) if len(text) <= 19 else 0
    try:  # `repeat: 1e3` is a count too
        number = float(text)
    except ValueError:
        return 0
    return int(number) if number.is_integer() and 0 < number <= SATURATED else 0


class Extent:
    """The least number of layers of items, block calls and structures (memoised: each YAML
    node and each block is measured once, however often it is called or aliased).

    A lower bound, so never a false alarm: an `auto` shortcut may add a conv and a bn, an
    `optional` one may add no merge, and a recursive call or one nested past the depth limit
    counts nothing (expanding it is an error of its own). A block call that makes no layer
    counts as one, so that calls, too, are bounded."""

    def __init__(self, blocks: Mapping[str, BlockDef]) -> None:
        self.blocks = blocks
        self.known: dict[int, int] = {}  # id(node) -> layers, for items measured in full
        self.sized: dict[str, int] = {}  # block -> layers per call
        self.open: list[str] = []  # blocks being measured
        self.depth = 0  # blocks and structures being measured, inside each other

    def items(self, items: Sequence[SNode]) -> int:
        total = 0
        for item in items:
            total = _sat(total + self.item(item))
        return total

    def item(self, item: SNode) -> int:
        """The layers of an item, all its copies."""
        known = self.known.get(id(item))
        if known is not None:
            return known
        found = op_of(item)
        n = 0 if found is None else _sat(repeat_count(found[2]) * self.one(found[0], found[1]))
        self.known[id(item)] = n
        return n

    def at(self, depth: int) -> Extent:
        """Measure from `depth` levels of blocks and structures down (where the expansion is),
        so that measuring never nests deeper than expanding may."""
        self.depth = depth
        return self

    def one(self, op: str, value: SNode | None) -> int:
        if op not in self.blocks and op not in STRUCTURES:
            return 1 if op in KINDS else 0
        if self.depth > MAX_DEPTH:  # expanding this deep is an error (E0330): no recursion
            return 0
        self.depth += 1
        try:
            if op in self.blocks:
                return self.block(op)
            return self.residual(value) if op == "residual" else self.parallel(value)
        finally:
            self.depth -= 1

    def block(self, name: str) -> int:
        if name in self.sized:
            return self.sized[name]
        if name in self.open:
            return 0
        self.open.append(name)
        layers = self.blocks[name].layers
        n = self.items(layers.value) if isinstance(layers, yaml.SequenceNode) else 0
        self.open.pop()
        self.sized[name] = n = max(n, 1)
        return n

    def _fields(self, value: SNode | None) -> dict[str, SNode]:
        if not isinstance(value, yaml.MappingNode):
            return {}
        return {k.value: v for k, v in value.value if isinstance(k, yaml.ScalarNode)}

    def _seq(self, node: SNode | None) -> int:
        return self.items(node.value) if isinstance(node, yaml.SequenceNode) else 0

    def residual(self, value: SNode | None) -> int:
        fields = self._fields(value)
        if "body" not in fields:
            return 0
        shortcut = fields.get("shortcut")
        optional = isinstance(shortcut, yaml.ScalarNode) and shortcut.value == "optional"
        return _sat(self._seq(fields["body"]) + self._seq(shortcut) + (0 if optional else 1))

    def parallel(self, value: SNode | None) -> int:
        branches = self._fields(value).get("branches")
        if not isinstance(branches, yaml.SequenceNode):
            return 0
        return _sat(sum(self._seq(b) for b in branches.value) + 1)
