"""Taproot pieces of the commit/reveal scheme (BIP 340/341/342), on python-bitcointx.

Key derivation (documented, normative for enoch plans):

    reveal secret key of group g = int(TaggedHash("enoch/reveal-key/v1",
                                   batch_secret || g as 4-byte big-endian)) mod n

with BIP 340 tagged hashes (SHA256(SHA256(tag) || SHA256(tag) || msg)).  A
result of 0 is refused (probability ~2^-256).  The commit output is P2TR with
that key's x-only public key as internal key and exactly one tapleaf, the
reveal script (leaf version 0xc0); so the Merkle root is the leaf hash and the
control block is ``(0xc0 | parity) || internal key``.

Signatures are BIP 340 with SIGHASH_DEFAULT (64 bytes) and *fixed* auxiliary
randomness of 32 zero bytes, which BIP 340 permits: the nonce still depends on
the secret key and the message, and re-running ``reveal`` yields byte-identical
transactions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from inscriptions.transactions.rawtx import compact_size
from toolkit.core.errors import InternalError
from toolkit.core.secp256k1 import ensure_secp256k1

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TAPSCRIPT_LEAF_VERSION = 0xC0
AUX_RANDOMNESS = bytes(32)
REVEAL_KEY_TAG = "enoch/reveal-key/v1"


def tagged_hash(tag: str, msg: bytes) -> bytes:
    """BIP 340 tagged hash."""
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + msg).digest()


def tapleaf_hash(script: bytes, leaf_version: int = TAPSCRIPT_LEAF_VERSION) -> bytes:
    """BIP 341 leaf hash of one script."""
    return tagged_hash("TapLeaf", bytes([leaf_version]) + compact_size(len(script)) + script)


def derive_group_secret(batch_secret: bytes, group: int) -> bytes:
    """The reveal secret key (32 bytes) of ``group``; see the module docstring."""
    if len(batch_secret) != 32:
        raise InternalError("batch secret must be 32 bytes")
    if not 0 <= group < 2**32:
        raise InternalError("group index out of range")
    k = int.from_bytes(tagged_hash(REVEAL_KEY_TAG, batch_secret + group.to_bytes(4, "big")), "big") % SECP256K1_N
    if k == 0:
        raise InternalError("derived a zero reveal key; create a new plan")
    return k.to_bytes(32, "big")


def xonly_public_key(secret: bytes) -> bytes:
    """BIP 340 x-only public key of a 32-byte secret key."""
    ensure_secp256k1()
    from bitcointx.core.key import CKey

    return bytes(CKey.from_secret_bytes(secret).xonly_pub)


@dataclass(frozen=True)
class Commitment:
    """A single-leaf P2TR output: where a group's funds go."""

    internal_key: bytes
    leaf_hash: bytes
    output_key: bytes
    parity: int

    @property
    def script_pubkey(self) -> bytes:
        return b"\x51\x20" + self.output_key

    @property
    def control_block(self) -> bytes:
        return bytes([TAPSCRIPT_LEAF_VERSION | self.parity]) + self.internal_key


def commit(internal_key: bytes, leaf_hash: bytes) -> Commitment:
    """Tweak ``internal_key`` with the one-leaf Merkle root ``leaf_hash``."""
    ensure_secp256k1()
    from bitcointx.core.key import XOnlyPubKey, tap_tweak_pubkey

    result = tap_tweak_pubkey(XOnlyPubKey(internal_key), merkle_root=leaf_hash)
    if result is None:
        raise InternalError("taproot tweak failed")
    output_key, parity = result
    return Commitment(internal_key, leaf_hash, bytes(output_key), int(parity))


def sign_script_path(secret: bytes, sighash: bytes) -> bytes:
    """64-byte BIP 340 signature with the untweaked key (tapscript OP_CHECKSIG)."""
    ensure_secp256k1()
    from bitcointx.core.key import CKey

    sig = CKey.from_secret_bytes(secret).sign_schnorr_no_tweak(sighash, aux=AUX_RANDOMNESS)
    return bytes(sig)


def sign_key_path(secret: bytes, merkle_root: bytes, sighash: bytes) -> bytes:
    """64-byte BIP 340 signature with the key tweaked by ``merkle_root`` (key-path spend)."""
    ensure_secp256k1()
    from bitcointx.wallet import CCoinKey

    sig = CCoinKey.from_secret_bytes(secret).sign_schnorr_tweaked(sighash, merkle_root=merkle_root, aux=AUX_RANDOMNESS)
    return bytes(sig)
