"""What a test runner owes broken code: hostile cases, hangs, deaths, Ctrl-C, bad input, hostile text."""
