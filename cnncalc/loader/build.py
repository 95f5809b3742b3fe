"""An op and its located arguments (with the file's `defaults:`) -> a layer object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cnncalc.errors import Msg, Pos, SpecError
from cnncalc.layers import KINDS, Kind, MaxPool
from cnncalc.loader.nodes import SNode
from cnncalc.loader.scope import base_name
from cnncalc.loader.values import Ctx, convert_arg, unknown_hint

Entry = tuple[str, SNode, SNode]  # key, key node, value node


def family_args(op: str) -> set[str]:
    """The argument names `defaults.<op>` may set (`conv` sets those of the whole family)."""
    if op == "conv":
        return {n for k in KINDS.values() if k.family == "conv" for a in k.args for n in a.names}
    return set(KINDS[op].arg_by_name)


class Builder:
    """Builds layers for one file: its defaults (typed once per op) and the arguments given."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.defaults: dict[str, list[Entry]] = {}
        self.converted: dict[str, dict[str, object]] = {}  # op -> its defaults, typed

    def defaults_for(self, op: str) -> list[Entry]:
        """`defaults.conv` for the conv family (each op taking the arguments it has, in the form
        it takes them: `p: same` does not reach a convT), then the op's own defaults."""
        kind = KINDS[op]
        out: list[Entry] = []
        names = kind.arg_by_name
        base = base_name(op)
        if kind.family == "conv" and base != "conv":
            for entry in self.defaults.get("conv", ()):
                if entry[0] in names:
                    try:
                        convert_arg(self.ctx, op, names[entry[0]], entry[2])
                    except SpecError:
                        continue
                    out.append(entry)
        for key in dict.fromkeys((base, op)):
            out.extend(e for e in self.defaults.get(key, ()) if e[0] in names)
        return out

    def convert(
        self, op: str, kind: Kind, args: Sequence[Entry]
    ) -> tuple[dict[str, object], dict[str, Pos]]:
        """The typed values of `args` by field, and where each was written (by every name)."""
        ctx = self.ctx
        by_name = kind.arg_by_name
        values: dict[str, object] = {}
        where: dict[str, Pos] = {}
        for key, kn, vn in args:
            arg = by_name.get(key)
            if arg is None:
                names = sorted(by_name)
                fallback = Msg("H0303", names=", ".join(names)) if names else Msg("H0304", op=op)
                raise ctx.err(kn, "E0314", unknown_hint(key, names, fallback), op=op, arg=key)
            values[arg.field] = convert_arg(ctx, op, arg, vn)
            at = ctx.pos(vn)
            where[arg.field] = at
            for spelling in arg.names:  # a LayerArgError may name the argument either way
                where[spelling] = at
        return values, where

    def build(self, op: str, args: Sequence[Entry], at: SNode) -> tuple[Any, dict[str, Pos]]:
        """The layer `op` with `args` over the defaults, and where each argument was written."""
        kind = KINDS[op]
        own, where = self.convert(op, kind, args)
        defaults = self.converted.get(op)
        if defaults is None:  # once per op: large networks repeat a few ops many times
            defaults = self.converted[op] = self.convert(op, kind, self.defaults_for(op))[0]
        values: dict[str, object] = {**kind.fixed, **defaults, **own}
        for arg in kind.args:
            if arg.required and arg.field not in values:
                scalar = kind.scalar == arg.field  # `conv: 64` gives it too
                hint = Msg("H0306", op=op, arg=arg.names[0]) if scalar else None
                raise self.ctx.err(at, "E0342", hint, op=op, arg=arg.names[0], doc=arg.doc)
        if op == "upsample" and "size" in values and "scale_factor" not in own:
            values["scale_factor"] = None
        if kind.cls is MaxPool and values.get("stride") is None:
            values["stride"] = None
        return kind.cls(**values), where
