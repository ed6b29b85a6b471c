"""enoch: deterministic on-chain content and randomness toolkit for Bitcoin."""

# Kept as a literal (pyproject reads it): importlib.metadata costs ~30 ms of
# start-up time on every invocation.
__version__ = "0.1.0"
