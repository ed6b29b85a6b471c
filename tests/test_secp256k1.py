"""python-bitcointx must find libsecp256k1 on a machine with no system copy."""

from __future__ import annotations

import hashlib
import os

from toolkit.core.secp256k1 import bundled_library_path, ensure_secp256k1


def test_bundled_library_exists() -> None:
    assert os.path.isfile(bundled_library_path())


def test_bitcointx_signs_and_verifies_schnorr() -> None:
    ensure_secp256k1()
    from bitcointx.core.key import CKey

    key = CKey.from_secret_bytes(hashlib.sha256(b"enoch test key").digest())
    msg = hashlib.sha256(b"message").digest()
    sig = key.sign_schnorr_no_tweak(msg)
    assert len(sig) == 64
    assert key.xonly_pub.verify_schnorr(msg, sig)
    assert not key.xonly_pub.verify_schnorr(hashlib.sha256(b"other").digest(), sig)
