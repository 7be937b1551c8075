"""Gridwork's district-scale benchmark: each figure measured against a bare reference in the same run.

`make bench` (or `python -m bench`) builds the demo district on each database, runs every figure
in `bench.figures.FIGURES` and writes the table to bench/out/ (markdown and JSON).
"""
