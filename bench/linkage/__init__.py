"""Duplicate-detection benchmarks (issue 6): FEBRL4, synthetic refugee registrations, the online check."""
