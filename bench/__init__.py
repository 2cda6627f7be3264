"""Stella benchmarks (`make bench`): file, search and note latencies on a large PostgreSQL database.

`python -m bench` (see scripts/bench.sh and docs/benchmarks.md) creates, migrates and fills the
benchmark database when needed, then measures each operation through the API and the services and,
in the same run, the bare SQL that fetches the same rows (the floor) as an anchor.
"""
