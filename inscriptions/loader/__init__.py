"""The self-verifying loader page and what it is served (SPEC T, Loader and preview)."""
