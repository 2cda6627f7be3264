"""Allocation benchmark: 100,000 persons, 2,000 offers with 60,000 seats, 20 feasible offers per person
(`python -m bench.allocation`, `scripts/bench.sh --allocation`; see docs/benchmarks.md)."""
