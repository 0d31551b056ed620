"""thinking-tests 0.0.4's `thinking_tests.running` (deprecated): `start` and `test_config`."""
