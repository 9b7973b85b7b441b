"""Benchmarks (not timed tests): each ``bench_*.py`` module prints ratios measured in one run.

``python -m tests.bench`` runs them all; ``python -m tests.bench load`` runs ``bench_load`` only.
"""
