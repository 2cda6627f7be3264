"""Stella: one shared, permissioned, audited case file per refugee for all partner agencies."""
