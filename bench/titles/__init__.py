"""Job titles → KldB benchmark: top-1/top-5 accuracy per language on the labelled set and latency per suggestion
(`python -m bench.titles`; see docs/benchmarks.md, section "Job titles → KldB")."""
