"""Every user-visible sentence, once per language, keyed by code: the lookup.

`t(key, lang, **args)` formats a catalogue entry (`en.py`, `zh.py`): errors `E…`, warnings `W…`,
shared hints `H…` and notes `N…`, lint findings `lint.CNN…`, and UI labels. The Chinese catalogue
uses the teaching text's terms (输入通道数, 输出通道数, 卷积核形状, 参数数量, 输出尺寸, 感受野). The
two catalogues hold the same keys with the same placeholders (tests keep them in step). Errors
carry a code and its arguments and are rendered in the chosen language only where they are shown
(`errors.CnnCalcError.render`). Standard library only; imports nothing of cnncalc's but the
catalogues.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType

from cnncalc.messages import en as _en_mod
from cnncalc.messages import zh as _zh_mod
from cnncalc.messages.escape import visible

LANGS = ("en", "zh")
DEFAULT = "en"
ENV = "CNNCALC_LANG"

_EN = _en_mod.MESSAGES
_ZH = _zh_mod.MESSAGES

CATALOGUES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": MappingProxyType(_EN), "zh": MappingProxyType(_ZH)}
)


def t(key: str, lang: str = DEFAULT, /, **args: object) -> str:
    """The message `key` in `lang`, formatted with `args` (English when `lang` lacks it)."""
    template = CATALOGUES.get(lang, _EN).get(key)
    if template is None:
        template = _EN[key]
    return template.format(**args) if args or "{" in template else template


def has(key: str) -> bool:
    """Whether the English catalogue holds `key`."""
    return key in _EN


def message(code: str, lang: str, args: Mapping[str, object]) -> str:
    """The catalogue entry `code` in `lang` filled with `args`; an argument that is itself a
    message (`errors.Msg`) is rendered in the same language first."""
    filled = {k: v.text(lang) if hasattr(v, "code") and hasattr(v, "text") else _safe(v)
              for k, v in args.items()}  # fmt: skip
    return t(code, lang, **filled)


#: characters of one user-supplied argument quoted in a message
MAX_ARG = 200


class Listing(str):
    """A list cnncalc writes itself (the names it supports), not user text: shown whole."""

    __slots__ = ()


def _safe(value: object) -> object:
    """A user-supplied string argument as a message may show it: control characters visible,
    at most `MAX_ARG` characters (a megabyte value is not echoed whole)."""
    if not isinstance(value, str) or isinstance(value, Listing):
        return value
    text = visible(value)
    return text if len(text) <= MAX_ARG else text[: MAX_ARG - 1] + "…"


_LABELS = {"error": "ui.error", "warning": "ui.warning", "hint": "ui.hint", "note": "ui.note"}


def label(name: str, lang: str = DEFAULT) -> str:
    """A diagnostic's label (`error`, `warning`, `hint`, `note`) or `colon`, in `lang`."""
    if name == "colon":
        return t("ui.colon", lang)
    return t(_LABELS[name], lang).rstrip(" :：")


def placeholders(template: str) -> frozenset[str]:
    """The names a template formats: `'{a} of {b}'` -> {a, b}."""
    return frozenset(f for _, f, _, _ in string.Formatter().parse(template) if f)
