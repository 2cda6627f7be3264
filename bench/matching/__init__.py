"""Matching benchmark: the ranked offer list of one person among 20,000 open offers (see run.py)."""
