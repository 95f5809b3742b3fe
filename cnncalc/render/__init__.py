"""Results in, text or a Rich renderable out: the only place text is chosen."""
