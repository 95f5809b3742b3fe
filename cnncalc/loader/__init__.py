"""Text in, `Network` out: every value located; the only importer of yaml.

The stages, each a module: `source` (reading, decoding, characters, limits), `nodes` (composing
YAML in one checked pass), `values` (typed scalars, the size grammar, argument converters),
`expr` (`$param`, `${expr}`), `scope` (names and references), `build` (op + arguments -> a
layer), `expand` (items, repeat, blocks, structures -> nodes), `document` (the top-level keys),
and `single` (the `layer` command's options -> a one-layer network).
"""

from cnncalc.loader.build import family_args
from cnncalc.loader.document import TOP_KEYS, load, load_source, load_text
from cnncalc.loader.expand import META_KEYS, STRUCTURES
from cnncalc.loader.nodes import compose
from cnncalc.loader.source import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_NOTES,
    MAX_YAML_DEPTH,
    decode_source,
    read_source,
)
from cnncalc.loader.values import CONVERTERS, SIZE_SEPARATORS, split_sizes

__all__ = [
    "CONVERTERS",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_NOTES",
    "MAX_YAML_DEPTH",
    "META_KEYS",
    "SIZE_SEPARATORS",
    "STRUCTURES",
    "TOP_KEYS",
    "compose",
    "decode_source",
    "family_args",
    "load",
    "load_source",
    "load_text",
    "read_source",
    "split_sizes",
]
