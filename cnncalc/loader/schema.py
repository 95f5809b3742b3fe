"""The JSON Schema (draft 2020-12) of network format v1, generated from the loader's own tables.

Ops and their arguments come from `layers.KINDS`, top-level and meta keys from `loader.TOP_KEYS`,
`loader.META_KEYS` and `loader.STRUCTURES`, budgets from `budget.BUDGETS`, dtypes from
`engine.DTYPE_BYTES`; nothing about them is restated here. The schema is for editors (completion,
hover text, early squiggles): it never rejects a file the loader accepts, and the loader stays the
authority on what it cannot say (shapes, names in scope, required arguments a `defaults` entry may
supply, block names).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from cnncalc.engine import DTYPE_BYTES
from cnncalc.layers import KINDS, MERGES, PAD_MODES, Activation, Arg, ArgType, Kind
from cnncalc.loader import BLOCK_KEYS, META_KEYS, STRUCTURES, TOP_KEYS, family_args
from cnncalc.quantities import BUDGETS, BYTE_SUFFIXES, COUNT_SUFFIXES

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NUMBER = r"[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?"


def ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


EXPR = ref("expr")
REF = ref("ref")

#: shared value schemas, referenced from the arguments so that the schema stays small
VALUES: Mapping[str, Schema] = {
    "expr": {
        "description": "a block parameter ($out) or an expression (${cin * 4})",
        "type": "string",
        "pattern": r"^\$(\{.*\}|[A-Za-z_][A-Za-z0-9_]*)$",
    },
    "ref": {
        "description": "an item name, 'prev', 'input', or -N (N items back)",
        "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "maximum": -1}],
    },
    "sizes_text": {
        "description": "sizes per axis, as in 3x5",
        "type": "string",
        "pattern": r"^\s*[0-9]+(\s*[xX×,]\s*[0-9]+)+\s*$",  # `loader.SIZE_SEPARATORS`
    },
    "int": {"anyOf": [{"type": "integer", "minimum": 1}, EXPR]},
    "int0": {"anyOf": [{"type": "integer", "minimum": 0}, EXPR]},
    "index": {"anyOf": [{"type": "integer"}, EXPR]},
    # an int, one per axis, or `3x5`: `loader.values.expect_ints`
    "ints": {
        "anyOf": [
            ref("int"),
            {"type": "array", "minItems": 1, "items": ref("int")},
            ref("sizes_text"),
        ]
    },
    "ints0": {
        "anyOf": [
            ref("int0"),
            {"type": "array", "minItems": 1, "items": ref("int0")},
            ref("sizes_text"),
        ]
    },
    # sizes, per-side pairs `[[top, bottom], [left, right]]`: `loader.values.CONVERTERS`
    "pad_sizes": {
        "anyOf": [
            ref("ints0"),
            {
                "type": "array",
                "minItems": 1,
                "items": {"type": "array", "items": ref("int0"), "minItems": 2, "maxItems": 2},
            },
        ]
    },
    "padding": {"anyOf": [ref("pad_sizes"), {"enum": list(PAD_MODES)}]},
    # an axis number or size that may be negative (`loader.values.CONVERTERS`)
    "dim": {"anyOf": [{"type": "integer"}, EXPR]},
    "dims": {"anyOf": [ref("dim"), {"type": "array", "minItems": 1, "items": ref("dim")}]},
    "number": {"anyOf": [{"type": "number"}, EXPR]},
    "prob": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, EXPR]},
    "positive": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, EXPR]},
    "scale": {
        "anyOf": [ref("positive"), {"type": "array", "minItems": 1, "items": ref("positive")}]
    },
}


def _sizes(op: str, arg: Arg) -> Schema:
    # the loader's one exception to "sizes are at least 1": padding may be 0
    return ref("ints0" if arg.field in ("padding", "output_padding") else "ints")


def _padding(op: str, arg: Arg) -> Schema:
    return ref("pad_sizes" if op == "pad" else "padding")  # `pad` takes sizes, not modes


def _choice(op: str, arg: Arg) -> Schema:
    return {"anyOf": [{"enum": list(arg.choices)}, EXPR]}


def _fixed(schema: Schema) -> Callable[[str, Arg], Schema]:
    return lambda op, arg: schema


#: the value schema of each argument type (given the op and the argument, for the few types
#: whose schema depends on them); a test holds it complete
ARG_SCHEMAS: Mapping[ArgType, Callable[[str, Arg], Schema]] = MappingProxyType(
    {
        ArgType.INT: lambda op, arg: ref("int0" if arg.field == "shift_size" else "int"),
        ArgType.INTS: _sizes,
        ArgType.OPT_INTS: _sizes,
        ArgType.PADDING: _padding,
        ArgType.BOOL: _fixed({"type": "boolean"}),
        ArgType.FLOAT: _fixed(ref("number")),
        ArgType.OPT_FLOAT: _fixed({"anyOf": [ref("number"), {"type": "null"}]}),
        ArgType.PROB: _fixed(ref("prob")),
        ArgType.SCALE: _fixed(ref("scale")),
        ArgType.CHOICE: _choice,
        ArgType.INDEX: _fixed(ref("index")),
        ArgType.REF: _fixed(REF),
        ArgType.DIM: _fixed(ref("dim")),
        ArgType.DIMS: _fixed(ref("dims")),
    }
)


def arg_schema(op: str, arg: Arg) -> Schema:
    """The value of one argument, by its `Arg.type`."""
    return ARG_SCHEMAS[arg.type](op, arg)


def _documented(schema: Schema, arg: Arg, name: str) -> Schema:
    doc = arg.doc + (" (required)" if arg.required else "")
    if name != arg.names[0]:
        doc += f"; same as '{arg.names[0]}'"
    return {"description": doc, **schema}


def args_object(op: str, names: Mapping[str, Arg]) -> Schema:
    """A mapping of arguments by any of their names, nothing else."""
    return {
        "type": "object",
        "properties": {n: _documented(arg_schema(op, a), a, n) for n, a in names.items()},
        "additionalProperties": False,
    }


def args_name(op: str) -> str:
    return f"args-{op}"


def op_value(op: str, kind: Kind) -> Schema:
    """What may follow `op:` in an item: nothing, named arguments, or the scalar shorthand."""
    if op in MERGES:
        refs = {"type": "array", "minItems": 2, "items": REF}
        if not kind.args:
            return {"description": f"{kind.doc}: a list of references", **refs}
        with_args = {
            "type": "object",
            "properties": {
                "inputs": {"description": "the references", **refs},
                **{n: _documented(arg_schema(op, a), a, n) for n, a in kind.arg_by_name.items()},
            },
            "required": ["inputs"],
            "additionalProperties": False,
        }
        return {"description": f"{kind.doc}: a list of references", "anyOf": [refs, with_args]}
    alternatives: list[Schema] = [{"type": "null"}, ref(args_name(op))]
    if kind.scalar is not None:
        scalar = next(a for a in kind.args if a.field == kind.scalar)
        alternatives.append(arg_schema(op, scalar))
    return {"description": kind.doc, "anyOf": alternatives}


def _structures() -> dict[str, Schema]:
    items = {"$ref": "#/$defs/items"}
    out = {
        "residual": {
            "description": "a body with a shortcut around it, merged",
            "type": "object",
            "properties": {
                "body": items,
                "shortcut": {"anyOf": [{"enum": ["auto", "identity", "optional"]}, items]},
                "merge": {"enum": ["add", "concat"]},
                "shortcut_first": {
                    "description": "compute the shortcut before the body (RegNet's order)",
                    "type": "boolean",
                },
            },
            "required": ["body"],
            "additionalProperties": False,
        },
        "parallel": {
            "description": "branches from the same input, merged",
            "type": "object",
            "properties": {
                "branches": {"type": "array", "minItems": 2, "items": items},
                "merge": {"enum": ["concat", "add"]},
            },
            "required": ["branches"],
            "additionalProperties": False,
        },
    }
    assert set(out) == set(STRUCTURES), "a structure without a schema"
    return out


META: Mapping[str, Schema] = {
    "name": {
        "description": "the item's name (unique in its scope)",
        "type": "string",
        "pattern": r"^[^.]+$",
    },
    "from": {"description": "the item's input instead of the previous item", **REF},
    "repeat": {"description": "N copies in sequence", **ref("int")},
    "first": {"description": "argument overrides for copy 0 (needs repeat)", "type": "object"},
    "frozen": {
        "description": "no gradient for the parameters of every layer the item makes",
        "type": "boolean",
    },
    "if": {
        "description": "the item is there only when this is true ($flag or ${s == 1})",
        "anyOf": [{"type": "boolean"}, EXPR],
    },
}
BLOCK_CALL: Schema = {
    "description": "a call of a block defined under 'blocks', with its parameters",
    "anyOf": [{"type": "null"}, {"type": "object"}],
}


def item_schemas() -> dict[str, Schema]:
    """`$defs` for items: a bare word, or a mapping with one op (or block call) and meta keys."""
    ops = {op: op_value(op, kind) for op, kind in KINDS.items()}
    structures = _structures()
    keyed = [*ops, *structures]
    rules: list[Schema] = []
    for op in keyed:
        then: Schema = {"propertyNames": {"enum": [op, *META_KEYS]}}
        if op in KINDS and op not in MERGES:
            then["properties"] = {"first": ref(args_name(op))}
        rules.append({"if": {"required": [op]}, "then": then})
    assert set(META) == set(META_KEYS), "a meta key without a schema"
    bare_ops = [op for op in KINDS if op not in MERGES]
    args = {
        args_name(op): args_object(op, k.arg_by_name) for op, k in KINDS.items() if op not in MERGES
    }
    return {
        **VALUES,
        **args,
        "item": {
            "anyOf": [
                {
                    "description": "an op without arguments, or a block without parameters",
                    "anyOf": [
                        {"enum": bare_ops},
                        {"type": "string", "pattern": r"^[^.$\s]+$"},
                        {"description": "an op given as a block parameter ($act)", **EXPR},
                    ],
                },
                {"$ref": "#/$defs/item_mapping"},
            ]
        },
        "item_mapping": {
            "type": "object",
            "minProperties": 1,
            "properties": {**ops, **structures, **META},
            # any other key calls a block; a key that is an op or structure never does
            "additionalProperties": BLOCK_CALL,
            "not": {"propertyNames": {"enum": list(META_KEYS)}},
            "dependentRequired": {"first": ["repeat"]},
            "allOf": rules,
        },
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    }


def _quantity(unit: str) -> Schema:
    table = COUNT_SUFFIXES if unit == "count" else BYTE_SUFFIXES
    suffixes = "|".join(re.escape(s) for s in sorted(table, key=len, reverse=True) if s)
    example = "12M" if unit == "count" else "64MiB"
    return {
        "anyOf": [
            {"type": "number", "minimum": 0},
            {"type": "string", "pattern": rf"^\s*{_NUMBER}\s*({suffixes})?\s*$"},
        ],
        "examples": [example],
    }


#: `blocks:`, each a mapping of `params`, `layers` and `frozen` (`loader.BLOCK_KEYS`)
BLOCKS: Schema = {
    "description": "reusable, parameterised blocks",
    "type": "object",
    "propertyNames": {"not": {"enum": [*KINDS, *STRUCTURES, *META_KEYS]}},
    "additionalProperties": {
        "type": "object",
        "properties": {
            "params": {
                "description": "parameters and defaults ('required': no default)",
                "anyOf": [{"type": "null"}, {"type": "object"}],
                "propertyNames": {"not": {"const": "cin"}},
            },
            "layers": {"$ref": "#/$defs/items"},
            "frozen": {
                "description": "every call of the block is frozen (no gradient)",
                "type": "boolean",
            },
        },
        "required": ["layers"],
        "additionalProperties": False,
    },
}


assert set(BLOCKS["additionalProperties"]["properties"]) == set(BLOCK_KEYS), "a block key"


def _defaults() -> Schema:
    """`defaults:`: per-op default arguments, and the conv family's."""
    defaults = {
        op: {
            "description": f"default arguments of every '{op}'",
            **ref(args_name(op)),
        }
        for op in KINDS
        if op not in MERGES
    }
    # `defaults.conv` serves the whole conv family: every name any of them takes, with the
    # schema of the op that allows the most (conv's padding modes), hence the reversed order
    family = {
        n: (op, a)
        for op, k in reversed(list(KINDS.items()))
        if k.family == "conv"
        for a in k.args
        for n in a.names
    }
    assert set(family) == family_args("conv")
    defaults["conv"] = {
        "description": "default arguments of the conv family (conv, dwconv, convT)",
        "type": "object",
        "properties": {
            n: _documented(arg_schema(op, a), a, n) for n, (op, a) in sorted(family.items())
        },
        "additionalProperties": False,
    }
    return {
        "description": "per-op default arguments ('conv' applies to the conv family)",
        "type": "object",
        "properties": defaults,
        "additionalProperties": False,
    }


#: a whole number at least 1, written as such (no expression)
POSITIVE: Schema = {"type": "integer", "minimum": 1}


def _ultralytics_keys() -> dict[str, Schema]:
    """The keys of a file that points at an Ultralytics model file (`loader.yolo_ref`)."""
    return {
        "ultralytics": {
            "description": "an Ultralytics model file to read as the network, relative to "
            "this file (then no input, layers or channels)",
            "type": "string",
            "minLength": 1,
        },
        "scale": {
            "description": "with ultralytics: the scale (n, s, m, l, x; default: from the "
            "file name)",
            "type": "string",
            "minLength": 1,
        },
        "nc": {"description": "with ultralytics: the number of classes", **POSITIVE},
        "imgsz": {
            "description": "with ultralytics: the image size, 640, 384x640 or [384, 640]",
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "array", "minItems": 1, "maxItems": 2, "items": POSITIVE},
                {"type": "string", "pattern": r"^\s*[0-9]+(\s*[xX×,]\s*[0-9]+)?\s*$"},
            ],
        },
        "ch": {"description": "with ultralytics: the input channels (default 3)", **POSITIVE},
    }


def top_level() -> dict[str, Schema]:
    """One schema per key of `spec.TOP_KEYS`."""
    stack_conv = KINDS["conv"].arg_by_name
    norms = [op for op, k in KINDS.items() if k.family == "norm" and "rank" not in k.fixed]
    acts = [op for op, k in KINDS.items() if issubclass(k.cls, Activation)] + ["prelu"]
    schemas: dict[str, Schema] = {
        "cnncalc": {"description": "format version", "const": 1},
        "name": {"description": "network name", "type": ["string", "number", "null"]},
        "input": {
            "description": "per-sample input shape, channels first, no batch: 3x224x224",
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "array", "minItems": 1, "maxItems": 4, "items": ref("int")},
                {"type": "string", "pattern": r"^\s*[0-9]+(\s*[xX×,]\s*[0-9]+){0,3}\s*$"},
            ],
        },
        "batch": {"description": "batch size (default 1)", "type": "integer", "minimum": 1},
        "dtype": {"description": "element type, for memory", "enum": list(DTYPE_BYTES)},
        "defaults": _defaults(),
        "channels": {
            "description": "the beginner stack: 3→64→M→128 (M = 2×2 max pool)",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "minItems": 2,
                    "items": {"anyOf": [{"type": "integer", "minimum": 1}, {"const": "M"}]},
                },
            ],
        },
        "kernel": {"description": "kernel of every conv in the stack", **ref("ints")},
        "stride": {"description": "stride of every conv in the stack", **ref("ints")},
        "padding": {
            "description": "padding of every conv in the stack",
            **arg_schema("conv", stack_conv["p"]),
        },
        "norm": {"description": "norm after every conv in the stack", "enum": norms},
        "act": {"description": "activation after every conv in the stack", "enum": acts},
        "blocks": BLOCKS,
        "layers": {"description": "the network, top-down", "$ref": "#/$defs/items"},
        "outputs": {
            "description": "the network's outputs (default: the last item)",
            "anyOf": [REF, {"type": "array", "minItems": 1, "items": REF}],
        },
        "budget": {
            "description": "limits for 'cnncalc check'",
            "type": "object",
            "properties": {
                name: {"description": f"{what} ({unit})", **_quantity(unit)}
                for name, (unit, what, _) in BUDGETS.items()
            },
            "additionalProperties": False,
        },
        "lint": {
            "description": "settings of 'cnncalc lint'",
            "type": "object",
            "properties": {
                "ignore": {
                    "description": "lint codes not to report here, as in [CNN105]",
                    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                }
            },
            "additionalProperties": False,  # `document.parse_lint`: the only key is ignore
        },
        **_ultralytics_keys(),
    }
    return {key: schemas.get(key, {}) for key in TOP_KEYS}


def schema() -> Schema:
    """The whole schema, as a JSON-ready dict."""
    return {
        "$schema": DIALECT,
        "title": "cnncalc network (format 1)",
        "description": "A convolutional network in cnncalc's YAML format, version 1.",
        "type": "object",
        "properties": top_level(),
        "anyOf": [{"required": ["input"]}, {"required": ["ultralytics"]}],
        "additionalProperties": False,
        "$defs": item_schemas(),
    }


def schema_json() -> str:
    """`cnncalc schema`'s output, byte for byte (what a committed schema file must equal)."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
