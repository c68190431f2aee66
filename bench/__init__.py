"""Benchmarks that print figures: `python -m bench` (or `make bench`)."""
