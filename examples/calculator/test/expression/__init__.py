"""Tests of the expression pipeline: tokens, parser, evaluator."""
