"""Outcome-report benchmark (issue 7 §5): dashboard pages and the API report call against the bare SQL aggregate."""
