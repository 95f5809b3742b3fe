"""Every public JSON contract, each with its schema version: the report (`params`, `layer`),
`check`, `diff` and `lint`. Stdlib only: `--format json` never imports rich."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from cnncalc.engine import Report, rf_number

if TYPE_CHECKING:
    from cnncalc.analysis.budget import BudgetResult, CheckResult
    from cnncalc.analysis.diff import NetworkDiff
    from cnncalc.analysis.lint import Finding
    from cnncalc.errors import CnnCalcError

#: the version of every contract below; fields may be added, never renamed
SCHEMA = 1


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def warning_texts(warnings: Sequence[CnnCalcError]) -> list[str]:
    """Located warnings as the JSON lists them: each as the diagnostic, code included."""
    return [w.render() for w in warnings]


def report_json(report: Report) -> str:
    """`cnncalc params --format json` and `cnncalc layer --format json`."""
    return to_json(report.to_dict())


def budget_dict(b: BudgetResult) -> dict[str, object]:
    headroom = b.headroom
    return {
        "name": b.name,
        "used": rf_number(Fraction(b.used)),
        "limit": b.limit,
        "passed": b.passed,
        "line": None if b.pos is None else b.pos.line,
        "col": None if b.pos is None else b.pos.col,
        "source": b.source,
        "unit": b.unit,
        "minimum": b.is_minimum,
        "headroom_pct": None if headroom is None else round(float(headroom) * 100, 4),
    }


def check_dict(
    result: CheckResult, warnings: Sequence[Sequence[CnnCalcError]] = ()
) -> dict[str, object]:
    """The public JSON contract of `cnncalc check`; `warnings[i]` are file i's warnings."""
    files = []
    for i, f in enumerate(result.files):
        entry: dict[str, object] = {
            "path": f.path,
            "name": f.name,
            "checked": f.checked,
            "passed": f.passed,
            "budgets": [budget_dict(b) for b in f.budgets],
        }
        if i < len(warnings) and warnings[i]:
            entry["warnings"] = warning_texts(warnings[i])
        files.append(entry)
    return {"schema": SCHEMA, "files": files, "passed": result.passed}


def check_json(result: CheckResult, warnings: Sequence[Sequence[CnnCalcError]] = ()) -> str:
    return to_json(check_dict(result, warnings))


def diff_json(d: NetworkDiff, warnings: Sequence[CnnCalcError] = ()) -> str:
    """`cnncalc diff --format json`: the comparison, and the two versions' warnings."""
    data = d.to_dict()
    if warnings:
        data["warnings"] = warning_texts(warnings)
    return to_json(data)


def lint_json(
    findings: Sequence[tuple[str, Finding]],
    files: int,
    lang: str,
    warnings: Sequence[CnnCalcError] = (),
    errors: Sequence[CnnCalcError] = (),
) -> str:
    """`cnncalc lint --format json`: every finding with its rule, place, message and why; the
    files' warnings, and the errors of files that did not load."""
    from cnncalc.analysis.lint import finding_dict

    data: dict[str, object] = {
        "schema": SCHEMA,
        "files": files,
        "findings": [finding_dict(f, lang, path) for path, f in findings],
    }
    if warnings:
        data["warnings"] = warning_texts(warnings)
    if errors:
        data["errors"] = [error_dict(e, lang) for e in errors]
    return to_json(data)


def error_dict(err: CnnCalcError, lang: str = "en") -> dict[str, object]:
    """A bad input as JSON: its code, place, message and hint."""
    pos = err.pos
    return {
        "code": err.code,
        "severity": err.severity,
        "file": None if pos is None else pos.source.name,
        "line": None if pos is None or pos.line < 1 else pos.line,
        "col": None if pos is None or pos.line < 1 else pos.col,
        "message": err.text(lang),
        "hint": err.hint_text(lang),
    }
