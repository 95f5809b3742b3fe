"""`python -m cnncalc`."""

from cnncalc.cli import app

app(prog_name="cnncalc")
