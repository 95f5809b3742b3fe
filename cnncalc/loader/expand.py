"""Items to nodes: ops, `repeat`, block calls, merges and the residual/parallel structures,
each node handed to the engine's `Graph`, which infers its shape (the only place that does)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import yaml

from cnncalc.engine import BlockCall, Graph, Node
from cnncalc.errors import CnnCalcError, Msg, Pos, ShapeError, SpecError
from cnncalc.layers import INT_MAX, KINDS, MERGES, BatchNorm, Conv, fmt_shape
from cnncalc.layers.kinds_split import MULTI_OUTPUT
from cnncalc.layers.registry import suggest_op
from cnncalc.loader.build import Builder, Entry
from cnncalc.loader.expr import CallParams, subst, synthetic
from cnncalc.loader.extent import META_KEYS, STRUCTURES, Extent
from cnncalc.loader.nodes import SNode
from cnncalc.loader.scope import BlockDef, Scope, base_name, ref
from cnncalc.loader.source import MAX_DEPTH, MAX_NAME, MAX_NOTES, MAX_RF, MAX_RF_TEXT
from cnncalc.loader.values import (
    YAML11_BOOLS,
    Ctx,
    ExprNode,
    choice,
    describe,
    expect_bool,
    expect_int,
    expect_str,
    is_null,
    listed,
    mapping,
    scalar,
    sequence,
    suggest,
    unknown_hint,
)

__all__ = ["META_KEYS", "STRUCTURES", "Expander"]
#: the keys of each structure, the first of them required
_STRUCTURE_KEYS = {
    "residual": ("body", "shortcut", "merge", "shortcut_first"),
    "parallel": ("branches", "merge"),
}
#: an item's meta keys, each with its key and value nodes
Meta = Mapping[str, tuple[SNode, SNode]]
#: which sizes a merge needs equal, for its message
#: the shape mismatches of the merges, which the loader words with the inputs' origins
_MERGE_CODES = frozenset({"E0425", "E0426", "E0427", "E0491", "E0495"})
_MERGE_WHAT = {"add": "N0305", "concat": "N0306", "mul": "N0305", "matmul": "N0360"}


def call_values(ctx: Ctx, params: CallParams) -> tuple[tuple[str, object], ...]:
    """The parameters of a finished call that took a plain value (a number, a boolean, a
    word), and `cin`; defaults no layer used were never computed and are left out."""
    found: list[tuple[str, object]] = [("cin", params.cin)]
    for key, node in params.call.values.items():
        value = scalar(ctx, node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, (int, float, str)):
            found.append((key, value))
    return tuple(found)


class Expander:
    """Expands the items of one file into the engine's graph."""

    def __init__(self, ctx: Ctx, graph: Graph, builder: Builder, blocks: Mapping[str, BlockDef]):
        self.ctx = ctx
        self.graph = graph
        self.builder = builder
        self.blocks = blocks
        self.stack: list[str] = []  # the block calls and structures being expanded
        self.frozen = 0  # how many `frozen: true` items (and frozen blocks) are being expanded
        self.extent = Extent(blocks)
        self.calls: list[BlockCall] = []  # every block call, for the exporters

    # -- items --
    def items(self, scope: Scope, items: Sequence[SNode]) -> None:
        """Expand a sequence of items in `scope` (its explicit names reserved first)."""
        if len(self.stack) > MAX_DEPTH:
            chain = " → ".join([*self.stack[:3], "…", *self.stack[-2:]])
            pos = self.ctx.pos(items[0]) if items else None
            raise SpecError("E0330", pos, depth=MAX_DEPTH, chain=chain)
        scope.reserve(items)
        self.check_extent(items)
        for item in items:
            self.item(scope, item)

    def check_extent(self, items: Sequence[SNode]) -> None:
        """Stop before the work when these items make more layers than are left: at the item
        where the count crosses the limit, when that item alone would fit (else expanding it
        finds the repeat or call inside it that crosses)."""
        ctx = self.ctx
        left = ctx.limit - ctx.count
        extent = self.extent.at(len(self.stack))
        sizes = [extent.item(item) for item in items]
        if sum(sizes) <= left:
            return
        before = 0
        for item, size in zip(items, sizes):
            if before + size > left:
                if size <= left:
                    raise ctx.err(item, "E0369", n=f"{ctx.count + before + size:,}",
                                  limit=f"{ctx.limit:,}")  # fmt: skip
                return
            before += size

    def split(self, item: SNode) -> tuple[str, SNode, SNode | None, dict[str, tuple[SNode, SNode]]]:
        """(op, op key node, op value node, meta entries) of one item."""
        ctx = self.ctx
        if isinstance(item, yaml.ScalarNode):
            return expect_str(ctx, item, Msg("N0307")), item, None, {}
        entries = mapping(ctx, item, Msg("N0307"))
        meta = {k: (kn, vn) for k, kn, vn in entries if k in META_KEYS}
        ops = [(k, kn, vn) for k, kn, vn in entries if k not in META_KEYS]
        if not ops:
            raise ctx.err(item, "E0331")
        if len(ops) > 1:
            raise ctx.err(ops[1][1], "E0332", names=", ".join(f"'{k}'" for k, _, _ in ops))
        op, kn, vn = ops[0]
        return op, kn, vn, meta

    def item(self, scope: Scope, item: SNode) -> None:
        ctx = self.ctx
        op, kn, vn, meta = self.split(item)
        if op.startswith("$"):  # an op given as a block parameter: `- $act`
            op = self.op_param(scope, kn)
        if op not in KINDS and op not in self.blocks and op not in STRUCTURES:
            hint = suggest_op(op) or unknown_hint(op, [*KINDS, *self.blocks, *STRUCTURES])
            if op in YAML11_BOOLS:
                hint = Msg("H0307", op=op)
            raise ctx.err(kn, "E0333", hint, op=op)
        if "if" in meta and not self.present(scope, meta):
            return
        # `frozen: true` freezes every layer the item makes; `false` unfreezes nothing inside
        # a frozen block (as `requires_grad_(False)` on a parent module reaches every child)
        frozen = "frozen" in meta and expect_bool(ctx, meta["frozen"][1], "frozen")
        self.frozen += frozen
        try:
            self.expand_item(scope, (op, kn, vn), meta)
        finally:
            self.frozen -= frozen

    def expand_item(self, scope: Scope, what: tuple[str, SNode, SNode | None], meta: Meta) -> None:
        """One item whose op is known: its name, input, copies and nodes."""
        ctx = self.ctx
        op, kn, vn = what
        name = self.item_name(scope, meta)
        if name is not None:
            scope.building.add(name)
        src = ref(ctx, scope, meta["from"][1]) if "from" in meta else scope.last()
        repeat = expect_int(ctx, meta["repeat"][1], "repeat") if "repeat" in meta else None
        first = meta.get("first")
        if first is not None and repeat is None:
            raise ctx.err(first[0], "E0337")
        if op in STRUCTURES and first is not None:
            raise ctx.err(first[0], "E0338", op=op)
        if name is None and op in STRUCTURES and repeat is None:
            scope.history.append(self.one(scope, op, kn, vn, None, src, None))
            return
        base = name or scope.auto(op if op in self.blocks or op in STRUCTURES else base_name(op))
        if repeat is None:
            out = self.one(scope, op, kn, vn, base, src, None)
        else:
            out = self.repeat(scope, (op, kn, vn), base, src, repeat, meta)
        scope.push(base, out)
        scope.building.discard(base)

    def op_param(self, scope: Scope, kn: SNode) -> str:
        """The op a `$param` item names (a word: an op or a block)."""
        node = subst(self.ctx, scope.params, scope.cin, kn)
        if not isinstance(node, yaml.ScalarNode) or not isinstance(scalar(self.ctx, node), str):
            raise self.ctx.err(kn, "E0380", param=kn.value, got=describe(node))
        return str(node.value)

    def present(self, scope: Scope, meta: Mapping[str, tuple[SNode, SNode]]) -> bool:
        """Whether an item with `if:` is there. An absent item's name (and a split's `name.i`)
        refers to what the item would have received, as an empty `nn.Sequential()` does."""
        node = subst(self.ctx, scope.params, scope.cin, meta["if"][1])
        if expect_bool(self.ctx, node, "if"):
            return True
        if "repeat" in meta or "first" in meta:
            key = "repeat" if "repeat" in meta else "first"
            raise self.ctx.err(meta[key][0], "E0381", key=key)
        name = self.item_name(scope, meta)
        if name is not None:
            src = ref(self.ctx, scope, meta["from"][1]) if "from" in meta else scope.last()
            scope.names[name] = src
            scope.absent[name] = src
        return False

    def item_name(self, scope: Scope, meta: Mapping[str, tuple[SNode, SNode]]) -> str | None:
        """The item's explicit `name:`, checked, or None."""
        if "name" not in meta:
            return None
        node = subst(self.ctx, scope.params, scope.cin, meta["name"][1])
        # a computed name (`name: ${int(t != 1)}`) mirrors a PyTorch index that moves
        name = node.value if isinstance(node, ExprNode) else expect_str(self.ctx, node, "name")
        if len(name) > MAX_NAME:
            raise self.ctx.err(node, "E0370", length=f"{len(name):,}", limit=MAX_NAME)
        if "." in name or name in ("input", "prev"):
            raise self.ctx.err(node, "E0334", name=name)
        if name in scope.names and scope.absent.pop(name, None) is None:
            raise self.duplicate(name, scope.names[name], node)  # an absent item's name is free
        return name

    def duplicate(self, name: str, first: str, at: SNode) -> SpecError:
        """`name` is taken already, by the node that made tensor `first`."""
        earlier = self.graph.producers.get(first)
        if earlier is not None and earlier.pos is not None:
            return self.ctx.err(at, "E0335", name=name, line=earlier.pos.line)
        return self.ctx.err(at, "E0336", name=name)

    def repeat(
        self,
        scope: Scope,
        what: tuple[str, SNode, SNode | None],
        base: str,
        src: str,
        repeat: int,
        meta: Mapping[str, tuple[SNode, SNode]],
    ) -> str:
        """`repeat: N` copies, each taking the previous one's output; the last one's output."""
        ctx = self.ctx
        op, kn, vn = what
        rnode = meta["repeat"][1]
        first = meta.get("first")
        left = ctx.limit - ctx.count
        if repeat > left:  # every copy makes at least one layer
            raise self.cap_error(rnode, repeat, None)
        # the layers of one copy, at least: when one fits and all of them do not, stop here
        # (when one alone does not fit, expanding it finds the repeat or call inside that does)
        each = self.extent.at(len(self.stack)).one(op, vn)
        if each * repeat > left and each <= left:
            raise self.cap_error(rnode, repeat, each)
        out = src
        for i in range(repeat):
            over = first[1] if (first is not None and i == 0) else None
            before = ctx.count
            if op in STRUCTURES:  # each copy has its own names: base.0.conv1, base.1.conv1
                copy = scope.nested(f"{scope.prefix}{base}.{i}.", out)
                out = self.one(copy, op, kn, vn, None, out, None)
            else:
                out = self.one(scope, op, kn, vn, f"{base}.{i}", out, over)
            scope.names[f"{base}.{i}"] = out  # a copy can be referenced: `from: c.0`
            made = ctx.count - before
            # fail fast: copy 1 on is what every further copy costs (copy 0 may differ)
            if i >= 1 and made * (repeat - 1 - i) > ctx.limit - ctx.count:
                raise self.cap_error(rnode, repeat, made)
        return out

    def cap_error(self, rnode: SNode, repeat: int, per_copy: int | None) -> SpecError:
        each: object = Msg("N0301", n=f"{per_copy:,}") if per_copy is not None else ""
        return self.ctx.err(rnode, "E0339", repeat=f"{repeat:,}", each=each,
                            limit=f"{self.ctx.limit:,}")  # fmt: skip

    def one(
        self,
        scope: Scope,
        op: str,
        kn: SNode,
        vn: SNode | None,
        name: str | None,
        src: str,
        first: SNode | None,
    ) -> str:
        """Expand one copy of an item whose input is `src`; returns its output node name.
        A structure without a name gets its merge's automatic name (`add1`, `concat1`)."""
        if op == "residual":
            return self.residual(scope, kn, vn, name, src)
        if op == "parallel":
            return self.parallel(scope, kn, vn, name, src)
        assert name is not None
        full = scope.prefix + name
        if op in self.blocks:
            return self.call_block(scope, op, (kn, vn), full, src, first)
        if op in MERGES:
            return self.merge(scope, op, kn, vn, full)
        args = self.item_args(scope, op, kn, vn)
        if first is not None:
            args = [*args, *self.arg_entries(scope, op, first)]
        if any(key == "size_of" for key, _, _ in args):
            args = self.size_of(scope, op, args)
        if issubclass(KINDS[op].cls, MULTI_OUTPUT):
            return self.parts(scope, op, args, kn, name, src)
        return self.emit_op(scope, op, args, kn, name, (src,))

    def size_of(self, scope: Scope, op: str, args: Sequence[Entry]) -> list[Entry]:
        """`size_of: name`: the output size is that tensor's spatial size, which the engine
        reads when it infers the layer (so a changed input size reaches it); only the shape is
        read, so the tensor is no input of the layer and need not stay alive for it."""
        out: list[Entry] = []
        for key, kn, vn in args:
            if key in ("size", "scale", "scale_factor"):
                raise self.ctx.err(kn, "E0383", op=op, key=key)
            if key == "size_of":
                vn = synthetic(ref(self.ctx, scope, vn), vn)
            out.append((key, kn, vn))
        return out

    def parts(
        self, scope: Scope, op: str, args: Sequence[Entry], at: SNode, name: str, src: str
    ) -> str:
        """A split or chunk: one node per part (`name.0`, `name.1`, …, each a reference in
        scope); the last part is the item's output."""
        layer, where = self.builder.build(op, args, at)
        out = ""
        i = 0
        while True:  # part 0 is inferred first: its errors come before the part count is known
            part = f"{name}.{i}"
            one = type(layer)(**{**vars(layer), "index": i})
            out = self.emit(scope, part, op, one, (src,), at, where)
            scope.names[part] = out
            i += 1
            if i == len(layer.sizes(self.shape(src))):
                return out

    # -- arguments --
    def arg_entries(self, scope: Scope, op: str, node: SNode) -> list[Entry]:
        ctx = self.ctx
        entries = mapping(ctx, node, Msg("N0308", op=op))
        by_name = KINDS[op].arg_by_name
        seen: dict[str, str] = {}
        for key, kn, _ in entries:
            arg = by_name.get(key)
            if arg is None:
                continue
            if arg.field in seen:
                raise ctx.err(kn, "E0340", key=key, other=seen[arg.field], op=op, doc=arg.doc)
            seen[arg.field] = key
        return [(k, kn, subst(ctx, scope.params, scope.cin, vn)) for k, kn, vn in entries]

    def item_args(self, scope: Scope, op: str, kn: SNode, vn: SNode | None) -> list[Entry]:
        kind = KINDS[op]
        if vn is None or is_null(vn):
            return []
        if isinstance(vn, yaml.MappingNode):
            return self.arg_entries(scope, op, vn)
        if kind.scalar is None:
            raise self.ctx.err(vn, "E0341", op=op)
        arg = next(a for a in kind.args if a.field == kind.scalar)
        return [(arg.names[0], kn, subst(self.ctx, scope.params, scope.cin, vn))]

    # -- nodes --
    def emit_op(
        self,
        scope: Scope,
        op: str,
        args: Sequence[Entry],
        at: SNode,
        name: str,
        inputs: tuple[str, ...],
    ) -> str:
        layer, where = self.builder.build(op, args, at)
        return self.emit(scope, name, op, layer, inputs, at, where)

    def emit(
        self,
        scope: Scope,
        name: str,
        op: str,
        layer: Any,
        inputs: tuple[str, ...],
        at: SNode,
        where: Mapping[str, Pos],
        generated: bool = False,
    ) -> str:
        """Hand one node to the graph (which infers its shape); its full name. `generated`:
        the user did not write this layer (`shortcut: auto` made it)."""
        full = name if name.startswith(scope.prefix) and scope.prefix else scope.prefix + name
        if full in self.graph.shapes:  # a structure named as a layer of its own body
            raise self.duplicate(full, full, at)
        self.ctx.tick(at)
        node = Node(full, op, layer, inputs, self.ctx.pos(at), where, self.frozen > 0, generated)
        shape = self.graph.add(node)
        if max(shape) > INT_MAX:  # keeps every later size, and every message, a sane number
            raise ShapeError("E0343", node.pos, op=op, name=full, size=f"{max(shape):.3g}")
        for axis in self.graph.rfs[full]:  # and every receptive-field number a small one
            if any(abs(v.numerator) > MAX_RF or v.denominator > MAX_RF
                   for v in (axis.size, axis.jump, axis.center)):  # fmt: skip
                raise ShapeError("E0368", node.pos, op=op, name=full, limit=MAX_RF_TEXT)
        return full

    def shape(self, name: str) -> tuple[int, ...]:
        return self.graph.shapes[name]

    def origin(self, name: str) -> Msg:
        """Where a tensor comes from: `'conv1', line 3`, or the network input."""
        src = self.graph.producers.get(name)
        if src is None or src.pos is None:
            return Msg("N0315") if src is None else Msg("N0316", name=src.name)
        return Msg("N0317", name=src.name, line=src.pos.line)

    # -- merges --
    def merge(self, scope: Scope, op: str, kn: SNode, vn: SNode | None, full: str) -> str:
        """`add: [a, b]`, or with arguments `concat: {inputs: [a, b], dim: 2}`."""
        ctx = self.ctx
        layer: Any = None
        where: Mapping[str, Pos] = {}
        if isinstance(vn, yaml.MappingNode):
            entries = self.arg_entries(scope, op, vn)
            found = [e for e in entries if e[0] == "inputs"]
            if not found:
                raise ctx.err(vn, "E0364", op=op)
            layer, where = self.builder.build(op, [e for e in entries if e[0] != "inputs"], kn)
            vn = found[0][2]
        if vn is None or not isinstance(vn, yaml.SequenceNode):
            raise ctx.err(vn or kn, "E0350", op=op)
        refs = tuple(ref(ctx, scope, n) for n in sequence(ctx, vn, op))
        if len(refs) < 2:
            raise ctx.err(vn, "E0351", op=op)
        return self.emit_merge(scope, full, op, refs, kn, layer, where)

    def emit_merge(
        self,
        scope: Scope,
        full: str,
        op: str,
        refs: tuple[str, ...],
        at: SNode,
        layer: Any = None,
        where: Mapping[str, Pos] = MappingProxyType({}),
    ) -> str:
        merge = KINDS[op].cls() if layer is None else layer
        try:
            return self.emit(scope, full, op, merge, refs, at, where)
        except ShapeError as err:
            if err.code not in _MERGE_CODES:  # an argument's own error (a wrong `dim`)
                raise
            shapes = [self.shape(r) for r in refs]
            parts = [
                Msg("N0313", shape=fmt_shape(s), src=self.origin(r)) for r, s in zip(refs, shapes)
            ]
            inputs = parts[-1]
            for part in reversed(parts[:-1]):  # "a and b and c", in any language
                inputs = Msg("N0314", a=part, b=inputs)
            hint = None
            if op == "add" and len({s[1:] for s in shapes}) == 1:
                hint = Msg("H0310")
            elif op == "mul":
                hint = Msg("H0311")
            what = Msg("N0361" if err.code == "E0495" else _MERGE_WHAT[op])
            raise ShapeError("E0352", err.pos, hint=hint, op=op, name=full, what=what,
                             inputs=inputs) from None  # fmt: skip

    # -- structures --
    def structure(self, op: str, kn: SNode, vn: SNode | None) -> dict[str, tuple[SNode, SNode]]:
        """The keys of a `residual` or `parallel`, checked; the first key is required."""
        keys = _STRUCTURE_KEYS[op]
        code = "E0353" if op == "residual" else "E0355"
        if vn is None:
            raise self.ctx.err(kn, code)
        fields = {k: (k2, v2) for k, k2, v2 in mapping(self.ctx, vn, f"'{op}'")}
        for k, (k2, _) in fields.items():
            if k not in keys:
                hint = suggest(k, keys) or Msg("H0312", keys=", ".join(keys))
                raise self.ctx.err(k2, "E0354", hint, op=op, key=k)
        if keys[0] not in fields:
            raise self.ctx.err(kn, code)
        return fields

    def residual(
        self, scope: Scope, kn: SNode, vn: SNode | None, name: str | None, src: str
    ) -> str:
        ctx = self.ctx
        fields = self.structure("residual", kn, vn)
        merge = (
            choice(ctx, fields["merge"][1], "merge", ("add", "concat"))
            if "merge" in fields
            else "add"
        )
        self.stack.append("residual")
        start = len(self.graph.nodes)
        body_items = sequence(ctx, fields["body"][1], "'body'")
        inner = scope.sibling(src)  # shares the scope's names: the body's stay visible after it
        self.items(inner, body_items)
        body_out = inner.last()
        mid = len(self.graph.nodes)  # the body's layers are nodes[start:mid]
        self.stack.pop()
        sc_node = fields.get("shortcut", (kn, None))[1]
        if sc_node is not None and isinstance(sc_node, yaml.SequenceNode):
            sub = scope.nested(f"{scope.prefix}{scope.auto('shortcut')}.", src)
            self.items(sub, sequence(ctx, sc_node, "'shortcut'"))
            short: str | None = sub.last()
        else:
            mode = "auto"
            if sc_node is not None:
                mode = choice(ctx, sc_node, "shortcut", ("auto", "identity", "optional"))
            short = self.shortcut(scope, mode, merge, (src, body_out), sc_node or kn)
        if "shortcut_first" in fields:
            self.shortcut_first(fields["shortcut_first"][1], start, mid)
        if short is None:
            return body_out
        return self.named_merge(scope, name, merge, (short, body_out), kn)

    def shortcut_first(self, node: SNode, start: int, mid: int) -> None:
        """`shortcut_first: true`: the shortcut's layers move in front of the body's (they read
        only the residual's input, so the order stays topological), as RegNet computes them."""
        if not isinstance(scalar(self.ctx, node), bool):
            raise self.ctx.err(node, "E0382", key="shortcut_first")
        if not expect_bool(self.ctx, node, "shortcut_first"):
            return
        graph = self.graph
        for seq in (graph.nodes, graph.rows):
            seq[start:] = [*seq[mid:], *seq[start:mid]]

    def named_merge(
        self, scope: Scope, name: str | None, merge: str, refs: tuple[str, ...], at: SNode
    ) -> str:
        """A structure's merge, named as the structure or automatically (`add1`)."""
        local = name or scope.auto(merge)
        out = self.emit_merge(scope, scope.prefix + local, merge, refs, at)
        if name is None:
            scope.names[local] = out
        return out

    def shortcut(
        self, scope: Scope, mode: str, merge: str, ends: tuple[str, str], at: SNode
    ) -> str | None:
        """The shortcut of a residual from `src` to the body's output `body`: the input itself,
        none (`optional`), or a strided 1×1 conv and bn that match the body's shape (`auto`)."""
        src, body = ends
        x, y = self.shape(src), self.shape(body)
        same = x == y if merge == "add" else x[1:] == y[1:]
        if mode == "identity" or merge == "concat":
            if mode == "identity" and not same:
                last = self.graph.producers.get(body)
                line: object = ""
                if last is not None and last.pos is not None:
                    line = Msg("N0303", line=last.pos.line)
                raise self.ctx.err(at, "E0357", x=fmt_shape(x), y=fmt_shape(y), body=body,
                                   line=line)  # fmt: skip
            return src
        if same:
            return src
        if mode == "optional":
            return None
        if len(x) != len(y) or len(x) < 2:
            raise self.ctx.err(at, "E0358", x=fmt_shape(x), y=fmt_shape(y))
        strides = []
        for i, o in zip(x[1:], y[1:]):
            # a 1×1 conv with stride s gives floor((i−1)/s)+1 = o
            s: int | None = (i - 1) // o + 1 if 1 <= o <= i else None  # the smallest such s
            if s is None or (i - 1) // s + 1 != o:
                raise self.ctx.err(at, "E0359", x=fmt_shape(x), y=fmt_shape(y))
            strides.append(s)
        conv = Conv(out_channels=y[0], kernel_size=(1,), stride=tuple(strides), bias=False)
        sub = Scope(f"{scope.prefix}{scope.auto('shortcut')}.", src, {}, x[0])
        a = self.emit(sub, "conv", "conv", conv, (src,), at, {}, generated=True)
        return self.emit(sub, "bn", "bn", BatchNorm(), (a,), at, {}, generated=True)

    def parallel(
        self, scope: Scope, kn: SNode, vn: SNode | None, name: str | None, src: str
    ) -> str:
        ctx = self.ctx
        fields = self.structure("parallel", kn, vn)
        merge = (
            choice(ctx, fields["merge"][1], "merge", ("concat", "add"))
            if "merge" in fields
            else "concat"
        )
        outs = []
        branches = sequence(ctx, fields["branches"][1], "'branches'")
        if len(branches) < 2:
            raise ctx.err(fields["branches"][1], "E0356")
        self.stack.append("parallel")
        for i, bnode in enumerate(branches, 1):
            sub = scope.nested(f"{scope.prefix}{scope.auto('branch')}.", src)
            self.items(sub, sequence(ctx, bnode, Msg("N0309", i=i)))
            outs.append(sub.last())
        self.stack.pop()
        return self.named_merge(scope, name, merge, tuple(outs), kn)

    # -- blocks --
    def block_args(self, scope: Scope, block: BlockDef, node: SNode | None,
                   first: SNode | None) -> dict[str, SNode]:  # fmt: skip
        """The arguments of one call of `block` (with `first` overrides), substituted."""
        ctx = self.ctx
        op = block.name
        entries: list[Entry] = []
        if node is not None and not is_null(node):
            entries = mapping(ctx, node, Msg("N0310", block=op))
        if first is not None:
            entries = [*entries, *mapping(ctx, first, "'first'")]
        given: dict[str, SNode] = {}
        for key, akn, avn in entries:
            if key not in block.params:
                declared = list(block.params)
                names = Msg("N0311", names=", ".join(declared) or Msg("N0304"))
                raise ctx.err(akn, "E0361", listed(unknown_hint(key, declared), names),
                              block=op, key=key)  # fmt: skip
            given[key] = subst(ctx, scope.params, scope.cin, avn)
        return given

    def call_block(
        self,
        scope: Scope,
        op: str,
        call: tuple[SNode, SNode | None],
        full: str,
        src: str,
        first: SNode | None,
    ) -> str:
        ctx = self.ctx
        kn, vn = call
        block = self.blocks[op]
        if op in self.stack:
            chain = " → ".join([*(s for s in self.stack if s in self.blocks), op])
            raise ctx.err(kn, "E0360", block=op, chain=chain)
        given = self.block_args(scope, block, vn, first)
        for key in block.required:
            if key not in given:
                raise ctx.err(kn, "E0362", block=op, key=key, line=block.pos.line)
        # a default is computed when first used, from `cin` and the parameters before it
        params = CallParams(ctx, block.params, given, self.graph.channels(src))
        inner = Scope(full + ".", src, params, params.cin)
        at = ctx.pos(kn)
        try:
            items = sequence(ctx, block.layers, Msg("N0312", block=op))
            self.stack.append(op)
            self.frozen += block.frozen
            before = ctx.count
            self.items(inner, items)
            if ctx.count == before:  # a call of an empty block counts as a layer: calls end too
                ctx.tick(kn)
            self.frozen -= block.frozen
            self.stack.pop()
            self.calls.append(BlockCall(full, op, call_values(ctx, params)))
        except CnnCalcError as err:
            if err.pos != at and len(err.notes) < MAX_NOTES:
                err.note("N0320", block=op, name=full, line=at.line)
            elif err.pos != at and len(err.notes) == MAX_NOTES:
                err.note("N0321")
            raise
        return inner.last()
