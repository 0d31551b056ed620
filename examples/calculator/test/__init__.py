"""Tests of the calculator: `python -m test.run_all` runs them all."""
