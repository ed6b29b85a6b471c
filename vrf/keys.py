"""VRF key files: JSON ``enoch-vrf-key/1`` (SPEC V), written with mode 0600.

``secret_key`` is the RFC 9381 SK exactly as Appendix B prints it (P-256:
the 32-byte big-endian scalar; edwards25519: the 32-byte RFC 8032 seed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError, OutputExistsError
from toolkit.core.fsio import atomic_write, read_input
from vrf.ecvrf import public_key
from vrf.jsonfields import hex_field, load_object, text_field
from vrf.suites import Suite, suite_by_name

KEY_FORMAT = "enoch-vrf-key/1"
#: A key file is about 200 bytes; anything over 4 KiB is not one (bounded read).
MAX_KEY_FILE_BYTES = 4096
_WHAT = "VRF key file"


@dataclass(frozen=True)
class KeyPair:
    """A VRF key: suite, RFC 9381 SK and its PK encoding (always consistent)."""

    suite: Suite
    secret_key: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        # to_bytes must never write a key file from_bytes refuses: a pair
        # whose public key is not the secret key's is a programming error.
        if len(self.secret_key) != 32 or public_key(self.suite, self.secret_key) != self.public_key:
            raise ValueError("public_key does not belong to secret_key (use KeyPair.from_secret)")

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return f"KeyPair(suite={self.suite.name!r}, public_key={self.public_key.hex()!r})"

    @classmethod
    def from_secret(cls, suite: Suite, secret_key: bytes) -> KeyPair:
        """The pair for ``secret_key``, its public key derived (RFC 9381 section 5.5)."""
        return cls(suite, secret_key, public_key(suite, secret_key))

    def to_bytes(self) -> bytes:
        """The ``enoch-vrf-key/1`` file content: canonical JSON plus a newline."""
        doc = {
            "format": KEY_FORMAT,
            "suite": self.suite.name,
            "secret_key": self.secret_key.hex(),
            "public_key": self.public_key.hex(),
        }
        return canonical_dumps(doc) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyPair:
        """Strict parse; the stored public key must match the secret key."""
        obj = load_object(data, what=_WHAT, fmt=KEY_FORMAT, required={"format", "suite", "secret_key", "public_key"})
        suite = suite_by_name(text_field(obj, "suite", what=_WHAT))
        sk = hex_field(obj, "secret_key", what=_WHAT, length=32)
        pk = hex_field(obj, "public_key", what=_WHAT, length=suite.curve.pt_len)
        pair = cls.from_secret(suite, sk)
        if pair.public_key != pk:
            raise MalformedInputError(f"{_WHAT}: public_key does not belong to secret_key")
        return pair


def generate(suite: Suite) -> KeyPair:
    """A fresh key from the OS CSPRNG (``secrets``)."""
    if suite.curve.cofactor == 1:
        sk = (1 + secrets.randbelow(suite.curve.q - 1)).to_bytes(32, "big")
    else:
        sk = secrets.token_bytes(32)
    return KeyPair.from_secret(suite, sk)


def write_key_file(path: Path | str, pair: KeyPair) -> None:
    """Write atomically with mode 0600; never overwrites an existing file."""
    try:
        atomic_write(path, pair.to_bytes(), overwrite=False, mode=0o600)
    except OutputExistsError:
        raise OutputExistsError(f"{path} exists; a key file is never overwritten") from None


def read_key_file(path: Path | str) -> KeyPair:
    """Read and strictly parse a key file (``-`` = stdin); missing -> 66, malformed -> 65."""
    return KeyPair.from_bytes(read_input(path, what=_WHAT, limit=MAX_KEY_FILE_BYTES))
