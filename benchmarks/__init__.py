"""Benchmarks: `make bench` (python -m benchmarks). Results are ratios against a baseline
measured in the same run, never absolute timings asserted in tests."""
