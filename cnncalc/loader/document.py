"""The document: its top-level keys, `defaults:`, `blocks:`, `budget:`, `lint:` and the
beginner's `channels:` stack, read into a `Network`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cnncalc.engine import DTYPE_BYTES, INPUT, Graph, Network
from cnncalc.errors import Msg, Pos, Source, SpecError
from cnncalc.layers import KINDS, MERGES, Activation, MaxPool, Shape, fmt_shape
from cnncalc.loader.build import Builder, Entry, family_args
from cnncalc.loader.expand import META_KEYS, STRUCTURES, Expander
from cnncalc.loader.nodes import STR, SNode, compose, is_ultralytics
from cnncalc.loader.scope import BlockDef, Scope, base_name, ref
from cnncalc.loader.source import OnnxSource, char_name, read_source
from cnncalc.loader.values import (
    YAML11_BOOLS,
    Ctx,
    check_chars,
    choice,
    convert_arg,
    describe,
    expect_bool,
    expect_int,
    expect_ints,
    expect_str,
    foreign,
    mapping,
    parse_sizes_text,
    plain,
    scalar,
    sequence,
    size,
    suggest,
    too_large,
    unknown_hint,
)
from cnncalc.quantities import BUDGETS, Limit, UnitError, parse_quantity

if TYPE_CHECKING:
    from cnncalc.loader.ultralytics import YoloOptions

TOP_KEYS = (
    "cnncalc",
    "name",
    "input",
    "batch",
    "dtype",
    "defaults",
    "channels",
    "kernel",
    "stride",
    "padding",
    "norm",
    "act",
    "blocks",
    "layers",
    "outputs",
    "budget",
    "lint",
    "ultralytics",
    "scale",
    "nc",
    "imgsz",
    "ch",
)
#: the keys of a block under `blocks:`
BLOCK_KEYS = ("params", "layers", "frozen")
_SHORTHAND = ("kernel", "stride", "padding", "norm", "act")
_ARROWS = ("⟶", "→", "->")
Entries = Mapping[str, tuple[SNode, SNode]]


def load_source(src: Source, yolo: YoloOptions | None = None) -> Network:
    """A network from its source text: a cnncalc file, or an Ultralytics model file (read at
    `yolo`'s scale, classes and image size), or an ONNX file."""
    if isinstance(src, OnnxSource):
        from cnncalc.loader.onnx import load_onnx  # only for such a file: it imports onnx

        return load_onnx(src)
    root = compose(src)
    if root is not None and is_ultralytics(root):
        from cnncalc.loader.ultralytics import load_ultralytics  # only for such a file

        return load_ultralytics(src, root, yolo)
    return Document(src, yolo).load(root)


def load(path: str | Path) -> Network:
    """Load a network file (`-` reads stdin)."""
    return load_source(read_source(path))


def load_text(text: str, name: str = "<text>") -> Network:
    """A network from YAML text; `name` is how messages name it."""
    return load_source(Source(name, text))


def load_dict(data: Mapping[str, object]) -> Network:
    """A network from the dict a YAML file would parse to (messages quote it as YAML)."""
    return load_text(yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True), "<dict>")


class Document:
    """One load of one file."""

    def __init__(self, src: Source, yolo: YoloOptions | None = None) -> None:
        self.ctx = Ctx(src)
        self.yolo = yolo
        self.builder = Builder(self.ctx)
        self.blocks: dict[str, BlockDef] = {}

    def load(self, root: SNode | None) -> Network:
        ctx = self.ctx
        if root is None:
            raise SpecError("E0301", Pos(ctx.src, 1, 1))
        entries = {k: (kn, vn) for k, kn, vn in mapping(ctx, root, Msg("N0330"))}
        self.check_keys(entries)
        if any(key in entries for key in ("ultralytics", "scale", "nc", "imgsz", "ch")):
            return self.load_reference(entries)
        if "input" not in entries:
            raise SpecError("E0304", Pos(ctx.src, 1, 1))
        input_node = entries["input"][1]
        input_shape = self.parse_input(input_node)
        if len(input_shape) == 4 and not says_3d(entries):
            raise self.batch_axis(input_node, input_shape)
        name = self.parse_name(entries["name"][1]) if "name" in entries else ""
        batch = expect_int(ctx, entries["batch"][1], "batch") if "batch" in entries else 1
        dtype = "float32"
        if "dtype" in entries:
            dtype = choice(ctx, entries["dtype"][1], "dtype", tuple(DTYPE_BYTES))
        if "defaults" in entries:
            self.parse_defaults(entries["defaults"][1])
        if "blocks" in entries:
            self.parse_blocks(entries["blocks"][1])
        graph = Graph(input_shape)
        expander = Expander(ctx, graph, self.builder, self.blocks)
        scope = self.expand(entries, expander)
        if not graph.nodes:
            raise ctx.err(root, "E0307")
        outputs: tuple[str, ...] = ()
        if "outputs" in entries:
            onode = entries["outputs"][1]
            if isinstance(onode, yaml.SequenceNode) and not onode.value:
                raise ctx.err(onode, "E0365")
            refs = (
                sequence(ctx, onode, "'outputs'")
                if isinstance(onode, yaml.SequenceNode)
                else [onode]
            )
            outputs = tuple(ref(ctx, scope, r) for r in refs)
        budget = self.parse_budget(entries["budget"][1]) if "budget" in entries else {}
        lint = self.parse_lint(entries["lint"][1]) if "lint" in entries else ()
        inferred = graph.inferred()
        return Network(
            input_shape=input_shape,
            nodes=inferred.nodes,
            outputs=outputs,
            name=name,
            batch=batch,
            dtype=dtype,
            input_pos=ctx.pos(input_node),
            budget=budget,
            lint_ignore=lint,
            inferred=inferred,
            calls=tuple(expander.calls),
        )

    def load_reference(self, entries: Entries) -> Network:
        """`ultralytics: model.yaml`: that model, with this file's name, batch, dtype,
        budgets and lint settings."""
        from cnncalc.loader import yolo_ref  # only for such a file

        ctx = self.ctx
        yolo_ref.check_keys(ctx, entries)

        def rest(net: Network) -> Network:
            batch = expect_int(ctx, entries["batch"][1], "batch") if "batch" in entries else 1
            dtype = net.dtype
            if "dtype" in entries:
                dtype = choice(ctx, entries["dtype"][1], "dtype", tuple(DTYPE_BYTES))
            return dataclasses.replace(
                net,
                name=self.parse_name(entries["name"][1]) if "name" in entries else net.name,
                batch=batch,
                dtype=dtype,
                budget=self.parse_budget(entries["budget"][1]) if "budget" in entries else {},
                lint_ignore=self.parse_lint(entries["lint"][1]) if "lint" in entries else (),
            )

        return yolo_ref.load_reference(ctx, entries, self.yolo, rest)

    def check_keys(self, entries: Entries) -> None:
        """Unknown top-level keys and the format version."""
        ctx = self.ctx
        for key, (kn, _) in entries.items():
            if key not in TOP_KEYS:
                fallback = Msg("H0320", keys=", ".join(TOP_KEYS))
                hint = unknown_hint(key, TOP_KEYS, fallback)
                if key in YAML11_BOOLS:
                    hint = Msg("H0321", key=key)
                raise ctx.err(kn, "E0302", hint, key=key)
        if "cnncalc" in entries:
            vnode = entries["cnncalc"][1]
            version = scalar(ctx, vnode)
            if version != 1 or isinstance(version, bool):
                raise ctx.err(vnode, "E0303", got=describe(vnode))

    def expand(self, entries: Entries, expander: Expander) -> Scope:
        """The channels stack (its shorthand keys need it) and the layers, in the network's
        scope."""
        for short in _SHORTHAND:
            if short in entries and "channels" not in entries:
                raise self.ctx.err(entries[short][0], "E0306", short=short)
        shape = expander.graph.input_shape
        scope = Scope("", INPUT, {}, shape[0])
        if "channels" in entries:
            Stack(self.ctx, expander, entries).expand(scope, shape)
        if "layers" in entries:
            items = entries["layers"][1]
            empty = isinstance(items, yaml.ScalarNode) and items.value == ""
            if not (empty and "channels" in entries):
                expander.items(scope, sequence(self.ctx, items, "'layers'"))
        return scope

    def parse_name(self, node: SNode) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.ctx.err(node, "E0305", got=describe(node))
        return "" if scalar(self.ctx, node) is None else str(node.value)

    def parse_input(self, node: SNode) -> Shape:
        ctx = self.ctx
        v = scalar(ctx, node)
        if isinstance(node, yaml.SequenceNode) or isinstance(v, int):
            shape = expect_ints(ctx, node, "input")
        elif isinstance(v, str):
            shape = parse_sizes_text(ctx, node, v, "input")
        else:
            raise ctx.err(node, "E0308", got=describe(node))
        if len(shape) > 4:
            raise ctx.err(node, "E0309", n=len(shape))
        return shape

    def batch_axis(self, node: SNode, shape: Shape) -> SpecError:
        """A 4-axis input on a network with no 3-D op: most likely the batch written in front
        of a 2-D image (torchinfo's `input_size` habit)."""
        rest = "x".join(str(v) for v in shape[1:])
        return self.ctx.err(node, "E0363", shape=fmt_shape(shape), rest=rest, batch=shape[0])

    def parse_budget(self, node: SNode) -> dict[str, Limit]:
        ctx = self.ctx
        out = {}
        for key, kn, vn in mapping(ctx, node, "'budget'"):
            if key not in BUDGETS:
                fallback = Msg("H0322", options=", ".join(BUDGETS))
                raise ctx.err(kn, "E0310", unknown_hint(key, list(BUDGETS), fallback), key=key)
            unit = BUDGETS[key][0]
            example = "12M" if unit == "count" else "64MiB"
            v = scalar(ctx, vn)
            if isinstance(v, bool) or v is None or isinstance(vn, yaml.CollectionNode):
                raise ctx.err(vn, "E0311", key=key, example=example)
            try:
                out[key] = Limit(key, parse_quantity(str(vn.value), unit), ctx.pos(vn))
            except UnitError as err:
                raise ctx.err(vn, "E0312", key=key, reason=err.msg, example=example) from None
            except (ArithmeticError, ValueError):  # 1e999 overflows
                raise too_large(ctx, vn, str(vn.value)) from None
        return out

    def parse_lint(self, node: SNode) -> tuple[tuple[str, Pos], ...]:
        """The words of `lint: {ignore: [...]}` where they were written (the lint rules are
        the analysis's business: it resolves them)."""
        ctx = self.ctx
        if not isinstance(node, yaml.MappingNode):
            raise ctx.err(node, "E0324")
        out: list[tuple[str, Pos]] = []
        for key, val in node.value:
            if getattr(key, "value", None) != "ignore":
                raise ctx.err(key, "E0325", key=str(key.value))
            items = val.value if isinstance(val, yaml.SequenceNode) else [val]
            for item in items:
                word = str(item.value) if isinstance(item, yaml.ScalarNode) else ""
                out.append((word, ctx.pos(item)))
        return tuple(out)

    def parse_defaults(self, node: SNode) -> None:
        ctx = self.ctx
        for key, kn, vn in mapping(ctx, node, "'defaults'"):
            if key not in KINDS or key in MERGES:
                options = [k for k in KINDS if k not in MERGES]
                raise ctx.err(kn, "E0313", unknown_hint(key, options), key=key)
            entries = mapping(ctx, vn, Msg("N0331", op=key))
            allowed = family_args(key)
            for akey, akn, avn in entries:
                if akey not in allowed:
                    names = sorted(allowed)
                    fallback = Msg("H0303", names=", ".join(names))
                    raise ctx.err(akn, "E0314", unknown_hint(akey, names, fallback),
                                  op=key, arg=akey)  # fmt: skip
                if akey == "size_of":  # a reference means a tensor of one place, not of every layer
                    raise ctx.err(akn, "E0385", op=key, arg=akey)
                # a bad value is an error here, at its line, even if no layer would take it
                family = [k for k in KINDS.values() if k.family == "conv"] if key == "conv" else []
                takers = [k for k in (KINDS[key], *family) if akey in k.arg_by_name]
                convert_arg(ctx, takers[0].name, takers[0].arg_by_name[akey], avn)
            self.builder.defaults[key] = entries

    def parse_blocks(self, node: SNode) -> None:
        ctx = self.ctx
        for key, kn, vn in mapping(ctx, node, "'blocks'"):
            if key in KINDS or key in STRUCTURES or key in META_KEYS:
                raise ctx.err(kn, "E0315", key=key)
            params: dict[str, SNode | None] = {}
            layers = None
            frozen = False
            for bkey, bkn, bvn in mapping(ctx, vn, Msg("N0332", block=key)):
                if bkey == "params":
                    params = self.block_params(key, bvn)
                elif bkey == "layers":
                    layers = bvn
                elif bkey == "frozen":
                    frozen = expect_bool(ctx, bvn, "frozen")
                else:
                    hint = suggest(bkey, list(BLOCK_KEYS))
                    raise ctx.err(bkn, "E0317", hint, key=bkey, block=key)
            if layers is None:
                raise ctx.err(kn, "E0318", block=key)
            sequence(ctx, layers, Msg("N0312", block=key))
            required = tuple(k for k, v in params.items() if v is None)
            self.blocks[key] = BlockDef(key, params, layers, ctx.pos(kn), frozen, required)

    def block_params(self, block: str, node: SNode) -> dict[str, SNode | None]:
        """A block's declared parameters: name -> default, None when `required`."""
        params: dict[str, SNode | None] = {}
        if isinstance(node, yaml.ScalarNode) and node.value == "":
            return params
        for pkey, pkn, pvn in mapping(self.ctx, node, Msg("N0333", block=block)):
            if pkey == "cin":
                raise self.ctx.err(pkn, "E0316")
            params[pkey] = None if plain(pvn) and pvn.value == "required" else pvn
        return params


#: the ops that assert a 3-D input (`[C, D, H, W]`): `conv3d`, `bn3d`, `Conv3d`, `MaxPool3d`, …
RANK3_OPS = frozenset(op for op, kind in KINDS.items() if kind.fixed.get("rank") == 4)


def says_3d(entries: Entries) -> bool:
    """Whether the layers or blocks name an op that asserts a 3-D input: what makes a 4-axis
    input a volume rather than a batch in front of an image. Each node is visited once (an
    alias shares its anchor's node)."""
    todo = [entries[k][1] for k in ("layers", "blocks") if k in entries]
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value in RANK3_OPS:
                    return True
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and item.value in RANK3_OPS:
                    return True
                todo.append(item)
    return False


class _Mark:
    """A position inside a scalar, for tokens of a one-line value such as `3→64→128`."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


def _token_node(node: SNode, text: str, offset: int) -> SNode:
    if not plain(node):  # quoted or multi-line: point at the value itself
        return yaml.ScalarNode(STR, text, node.start_mark, node.end_mark)
    mark: Any = _Mark(node.start_mark.line, node.start_mark.column + offset)
    return yaml.ScalarNode(STR, text, mark, mark)


class Stack:
    """The beginner's shorthand: `channels: 3→64→M→128` with `kernel`, `stride`, `padding`,
    `norm` and `act` for every conv of it."""

    def __init__(self, ctx: Ctx, expander: Expander, entries: Entries) -> None:
        self.ctx = ctx
        self.expander = expander
        self.entries = entries

    def expand(self, scope: Scope, shape: Shape) -> None:
        ctx, entries, ex = self.ctx, self.entries, self.expander
        cnode = entries["channels"][1]
        tokens = self.tokens(cnode)
        first, first_node = tokens[0]
        if not isinstance(first, int):
            raise ctx.err(first_node, "E0319")
        if first != shape[0]:
            line = ctx.pos(entries["input"][1]).line
            raise ctx.err(first_node, "E0320", first=first, c=shape[0], shape=fmt_shape(shape),
                          line=line)  # fmt: skip
        own = self.conv_args()
        norm, act = entries.get("norm"), entries.get("act")
        norm_op = choice(ctx, norm[1], "norm", ("bn", "gn", "ln", "inorm")) if norm else None
        if norm_op == "gn":
            raise ctx.err(norm[1] if norm else cnode, "E0321")
        act_ops = [k for k, v in KINDS.items() if v.cls is Activation] + ["prelu"]
        act_op = choice(ctx, act[1], "act", act_ops) if act else None
        for entry, tnode in tokens[1:]:
            if entry == "M":
                name = scope.auto("maxpool")
                pool = MaxPool(kernel_size=(2,), stride=(2,))
                scope.push(name, ex.emit(scope, name, "maxpool", pool, (scope.last(),), tnode, {}))
                continue
            name = scope.auto("conv")
            args = [*own, ("out", tnode, tnode)]
            scope.push(name, ex.emit_op(scope, "conv", args, tnode, name, (scope.last(),)))
            for op, spot in ((norm_op, norm), (act_op, act)):
                if op and spot:
                    name = scope.auto(base_name(op))
                    scope.push(name, ex.emit_op(scope, op, [], spot[1], name, (scope.last(),)))

    def conv_args(self) -> list[Entry]:
        """The arguments every conv of the stack takes (`kernel` 3 unless given)."""
        entries = self.entries
        own: list[Entry] = []
        kernel = entries.get("kernel")
        if kernel is not None:
            own.append(("k", kernel[0], kernel[1]))
        else:
            key = entries["channels"][0]
            three = yaml.ScalarNode("tag:yaml.org,2002:int", "3", key.start_mark, key.end_mark)
            own.append(("k", key, three))
        for short, arg in (("stride", "s"), ("padding", "p")):
            if short in entries:
                own.append((arg, entries[short][0], entries[short][1]))
        return own

    def raw_tokens(self, node: SNode) -> list[tuple[str, SNode]]:
        """The entries of the stack as text, each located."""
        ctx = self.ctx
        raw: list[tuple[str, SNode]] = []
        if isinstance(node, yaml.SequenceNode):
            for n in node.value:
                v = scalar(ctx, n)
                text = str(v) if isinstance(v, (int, str)) and not isinstance(v, bool) else ""
                raw.append((text if v is not None else "", n))
            return raw
        text = expect_str(ctx, node, "channels")
        check_chars(ctx, node, text, "->, M", "channels", Msg("H0323"))
        norm = text
        for arrow in _ARROWS:
            norm = norm.replace(arrow, "\x00" + " " * (len(arrow) - 1))
        if norm.count("\x00") > ctx.limit - ctx.count:  # a layer per token: stop before them
            raise ctx.err(node, "E0344", limit=f"{ctx.limit:,}")
        col = 0
        for part in norm.split("\x00"):
            lead = len(part) - len(part.lstrip())
            raw.append((part.strip(), _token_node(node, part.strip(), col + lead)))
            col += len(part) + 1
        return raw

    def tokens(self, node: SNode) -> list[tuple[int | str, SNode]]:
        """Channel counts and 'M' (a 2×2 max pool), at least two."""
        ctx = self.ctx
        out: list[tuple[int | str, SNode]] = []
        for text, tnode in self.raw_tokens(node):
            if text == "M":
                out.append(("M", tnode))
            elif text.isascii() and text.isdigit() and size(ctx, tnode, text) > 0:
                out.append((int(text), tnode))
            else:
                shown: object = f"'{text}'" if text else describe(tnode)
                odd = foreign(text)
                hint = Msg("H0201", char=char_name(odd[1])) if odd else None
                raise ctx.err(tnode, "E0322", hint, shown=shown)
        if len(out) < 2:
            raise ctx.err(node, "E0323")
        return out
