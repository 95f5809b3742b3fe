"""Pure analyses of a `Report`: budgets, diffs, lint, explanations, the flow graph."""
