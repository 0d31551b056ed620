"""Reports: one module per report, each with one entry point `write(results, path)`.

Every report reads only the neutral result model (`thinking_tests.model`).
"""
