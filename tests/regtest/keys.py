"""The harness's own key: a P2TR key-path wallet signed with python-bitcointx.

libsecp256k1 comes from the coincurve wheel, as enoch itself does it, so no
system library is needed (this module finds it on its own to stay free of
enoch imports)."""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import os
from collections.abc import Sequence
from functools import cache

import bitcointx
from bitcointx.core import CMutableTransaction, COutPoint, CTxIn, CTxInWitness, CTxOut, CTxWitness
from bitcointx.core.script import CScript, CScriptWitness, SignatureHashSchnorr
from bitcointx.wallet import CCoinKey

from tests.regtest.codec import address_to_script, script_to_address


@cache
def load_secp256k1() -> str:
    """Point python-bitcointx at coincurve's bundled libsecp256k1 (once)."""
    path = os.environ.get("ENOCH_SECP256K1")
    if not path:
        spec = importlib.util.find_spec("coincurve")
        locations = list(spec.submodule_search_locations or []) if spec else []
        found = [m for loc in locations for m in sorted(glob.glob(os.path.join(loc, "_libsecp256k1*")))]
        if not found:
            raise RuntimeError("coincurve's bundled libsecp256k1 not found")
        path = found[0]
    bitcointx.set_custom_secp256k1_path(path)
    return path


class TaprootKey:
    """A key-path-only P2TR key (BIP 86 style tweak, no script tree)."""

    def __init__(self, seed: bytes) -> None:
        load_secp256k1()
        secret = hashlib.sha256(b"enoch-regtest-harness/" + seed).digest()
        self._key = CCoinKey.from_secret_bytes(secret)
        from bitcointx.core.key import tap_tweak_pubkey

        tweaked = tap_tweak_pubkey(self._key.xonly_pub)
        if tweaked is None:
            raise RuntimeError("taproot tweak failed")
        self.output_key: bytes = bytes(tweaked[0])
        self.script_pubkey: bytes = b"\x51\x20" + self.output_key
        address = script_to_address(self.script_pubkey)
        assert address is not None
        self.address: str = address

    def sign_input(self, tx: CMutableTransaction, index: int, spent: Sequence[CTxOut]) -> bytes:
        """BIP 341 key-path signature (SIGHASH_DEFAULT) for input ``index``."""
        sighash = SignatureHashSchnorr(tx, index, list(spent))
        return bytes(self._key.sign_schnorr_tweaked(sighash))


def build_spend(
    key: TaprootKey,
    coins: Sequence[tuple[bytes, int, int]],
    outputs: Sequence[tuple[bytes, int]],
    *,
    locktime: int = 0,
    sequence: int = 0xFFFFFFFD,
) -> bytes:
    """Sign a version-2 transaction spending ``coins`` ((txid internal, vout,
    sats), all paying ``key``) to ``outputs`` ((scriptPubKey, sats)); every
    input has ``sequence`` (default: BIP 125 signalling)."""
    vin = [CTxIn(COutPoint(txid, vout), nSequence=sequence) for txid, vout, _ in coins]
    vout = [CTxOut(sats, CScript(script)) for script, sats in outputs]
    tx = CMutableTransaction(vin, vout, nLockTime=locktime, nVersion=2)
    spent = [CTxOut(sats, CScript(key.script_pubkey)) for _, _, sats in coins]
    sigs = [key.sign_input(tx, i, spent) for i in range(len(coins))]
    tx.wit = CTxWitness([CTxInWitness(CScriptWitness([sig])) for sig in sigs])
    return bytes(tx.serialize())


def script_for(address_or_script: str | bytes) -> bytes:
    """scriptPubKey from a regtest address or raw script bytes."""
    return address_or_script if isinstance(address_or_script, bytes) else address_to_script(address_or_script)
