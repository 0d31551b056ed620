"""`python -m calculator`: see calculator.cli."""

from calculator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
