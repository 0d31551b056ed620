"""`python -m trainer`: see trainer.pipeline."""

from trainer.pipeline import main

if __name__ == "__main__":
    raise SystemExit(main())
