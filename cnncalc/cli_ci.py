"""CI commands: `check` (architecture budgets), `diff`, `schema`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
