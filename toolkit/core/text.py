"""User text at the edges: the exact UTF-8 bytes of a string that will be hashed."""

from __future__ import annotations

from toolkit.core.errors import MalformedInputError


def context_bytes(context: str) -> bytes:
    """The context's UTF-8 bytes, exactly as given (no Unicode normalisation)."""
    try:
        return context.encode("utf-8")
    except UnicodeEncodeError:  # e.g. undecodable argv bytes (surrogate escapes)
        raise MalformedInputError("--context is not valid UTF-8 text") from None
