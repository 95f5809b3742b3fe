"""Text in, `Network` out: every value located; the only importer of yaml.

The stages, each a module: `source` (reading, decoding, characters, limits), `nodes` (composing
YAML in one checked pass), `sizes` (the one size grammar), `values` (typed scalars, argument
converters), `expr` (`$param`, `${expr}`), `scope` (names and references), `build` (op +
arguments -> a layer), `extent` (the layers an item makes, known before it is expanded),
`expand` (items, repeat, blocks, structures -> nodes), `document` (the top-level keys), and
`single` (the `layer` command's options -> a one-layer network).

The names below are loaded on first use, so that `cnncalc layer` (which needs `single` and
`sizes` only) does not load the YAML parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names for type checkers; `_HOMES` loads them (a test keeps both equal)
    from cnncalc.loader.build import family_args as family_args
    from cnncalc.loader.document import BLOCK_KEYS as BLOCK_KEYS
    from cnncalc.loader.document import TOP_KEYS as TOP_KEYS
    from cnncalc.loader.document import load as load
    from cnncalc.loader.document import load_dict as load_dict
    from cnncalc.loader.document import load_source as load_source
    from cnncalc.loader.document import load_text as load_text
    from cnncalc.loader.expand import META_KEYS as META_KEYS
    from cnncalc.loader.expand import STRUCTURES as STRUCTURES
    from cnncalc.loader.nodes import compose as compose
    from cnncalc.loader.sizes import SIZE_SEPARATORS as SIZE_SEPARATORS
    from cnncalc.loader.sizes import split_sizes as split_sizes
    from cnncalc.loader.source import MAX_DEPTH as MAX_DEPTH
    from cnncalc.loader.source import MAX_NODES as MAX_NODES
    from cnncalc.loader.source import MAX_NOTES as MAX_NOTES
    from cnncalc.loader.source import MAX_YAML_DEPTH as MAX_YAML_DEPTH
    from cnncalc.loader.source import decode_source as decode_source
    from cnncalc.loader.source import read_source as read_source
    from cnncalc.loader.values import CONVERTERS as CONVERTERS

#: each public name -> the module that defines it
_HOMES = {
    "BLOCK_KEYS": "document",
    "CONVERTERS": "values",
    "MAX_DEPTH": "source",
    "MAX_NODES": "source",
    "MAX_NOTES": "source",
    "MAX_YAML_DEPTH": "source",
    "META_KEYS": "expand",
    "SIZE_SEPARATORS": "sizes",
    "STRUCTURES": "expand",
    "TOP_KEYS": "document",
    "compose": "nodes",
    "decode_source": "source",
    "family_args": "build",
    "load": "document",
    "load_dict": "document",
    "load_source": "document",
    "load_text": "document",
    "read_source": "source",
    "split_sizes": "sizes",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cnncalc.loader' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cnncalc.loader.{home}"), name)
