"""A small stateful HTTP service: settings that change while it runs, and predictions
that use whatever settings are current.

    python -m service --port 8000      # serves on 127.0.0.1 only
"""

__version__ = "0.1.0"
