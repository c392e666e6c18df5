"""Benchmarks, run by hand (python -m bench.run); CI runs no timed test."""
