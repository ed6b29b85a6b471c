"""``enoch serve``: a local stand-in for ord's content endpoints (127.0.0.1 only)."""
