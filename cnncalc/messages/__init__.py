"""Messages in English and Chinese: the two catalogues, the lookup, and error translation.

`t(key, lang, **args)` formats a catalogue entry. The Chinese catalogue uses the teaching text's
terms (输入通道数, 输出通道数, 卷积核形状, 参数数量, 输出尺寸, 感受野). The two catalogues hold the
same keys with the same placeholders (a test keeps them in step). Errors are raised in English
by the loader and the layers; `render_error` translates them by matching the English `err.*`
templates (the placeholders become capture groups) and filling in the Chinese ones. A message
no template matches stays English inside the translated framing (`错误：`, `提示：`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnncalc.errors import CnnCalcError
from cnncalc.messages import en as _en_mod
from cnncalc.messages import zh as _zh_mod

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
    if code not in _EN:
        return translate(code, lang)  # a literal sentence (being moved into the catalogue)
    filled = {k: v.text(lang) if hasattr(v, "code") and hasattr(v, "text") else v
              for k, v in args.items()}  # fmt: skip
    return t(code, lang, **filled)


_LABELS = {"error": "err.error", "warning": "ui.warning", "hint": "err.hint", "note": "err.note"}


def label(name: str, lang: str = DEFAULT) -> str:
    """A diagnostic's label (`error`, `warning`, `hint`, `note`) or `colon`, in `lang`."""
    if name == "colon":
        return t("ui.colon", lang)
    return t(_LABELS[name], lang).rstrip(" :：")


def placeholders(template: str) -> frozenset[str]:
    """The names a template formats: `'{a} of {b}'` -> {a, b}."""
    return frozenset(f for _, f, _, _ in string.Formatter().parse(template) if f)


# --- translating errors ---------------------------------------------------------------------

#: placeholders that never contain a space, so that a template cannot swallow more than a word
_WORDS = frozenset({"op", "g", "e", "x", "c", "o", "s", "p", "k", "h", "a", "b", "line"})
_WRAPPERS = ("err.layer_prefix", "err.from")


@cache
def _pattern(key: str) -> re.Pattern[str]:
    out, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(_EN[key]):
        out.append(re.escape(literal))
        if not name:
            continue
        if name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>\\S+?)" if name in _WORDS else f"(?P<{name}>.+?)")
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _error_keys() -> list[str]:
    return [k for k in _EN if k.startswith("err.") and k not in _WRAPPERS and "{" in _EN[k]] + [
        k for k in _EN if k.startswith("err.") and "{" not in _EN[k]
    ]


def translate(text: str, lang: str) -> str:
    """An English error message or hint in `lang`, by the first `err.*` template it matches;
    the layer prefix (`conv 'x': …`) and the source suffix (`… (from 'y', line 3)`) are
    peeled off and the rest translated in turn. Unmatched text stays as it is."""
    if lang == DEFAULT or not text:
        return text
    for key in _error_keys():
        m = _pattern(key).match(text)
        if m:
            return t(key, lang, **m.groupdict())
    m = _pattern("err.from").match(text)
    if m:
        src = m["src"]
        if src == _EN["err.network_input"]:
            src = t("err.network_input", lang)
        elif sm := _pattern("err.src_line").match(src):
            src = t("err.src_line", lang, **sm.groupdict())
        return t("err.from", lang, rest=translate(m["rest"], lang), src=src)
    m = _pattern("err.layer_prefix").match(text)
    if m and " " not in m["op"]:
        return t("err.layer_prefix", lang, op=m["op"], name=m["name"],
                 rest=translate(m["rest"], lang))  # fmt: skip
    return text


def render_error(err: CnnCalcError, lang: str = DEFAULT) -> str:
    """The error as a compiler diagnostic in `lang`."""
    return err.render(lang)
