"""The SPEC R randomness stream, its draws, and I Ching casting."""
