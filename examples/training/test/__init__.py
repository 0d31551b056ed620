"""Tests of the training job: `python -m test.run_all` runs them all."""
