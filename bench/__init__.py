"""Benchmarks of thinking-tests against pytest, unittest, ward and a bare loop on the same work.

Run `python -m bench --help` from the repository root.
"""
