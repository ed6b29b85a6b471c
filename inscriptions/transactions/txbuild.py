"""Reveal and sweep transactions: construction, exact weight, sighash, signing.

All transactions are version 2, lock time 0, inputs with sequence 0xfffffffd
(replaceable).  Weight follows BIP 141: ``3 * stripped size + total size``;
``vsize = ceil(weight / 4)``.  :func:`reveal_weight` predicts the weight of a
signed reveal arithmetically so that groups can be packed quickly, and the
planner checks every prediction against a real serialization.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from inscriptions.transactions.network import txout_size
from inscriptions.transactions.rawtx import compact_size
from inscriptions.transactions.taproot import Commitment, sign_key_path, sign_script_path
from toolkit.core.errors import InternalError
from toolkit.core.secp256k1 import ensure_secp256k1

TX_VERSION = 2
SEQUENCE = 0xFFFFFFFD
SCHNORR_SIG_SIZE = 64


@dataclass(frozen=True)
class Funding:
    """A commit output: txid in display hex, output index, value in sats."""

    txid: str
    vout: int
    sats: int


@dataclass(frozen=True)
class SignedTx:
    """A signed transaction: txid (display hex), raw bytes and BIP 141 weight."""

    txid: str
    raw: bytes
    weight: int

    @property
    def vsize(self) -> int:
        return (self.weight + 3) // 4

    @cached_property
    def hex_bytes(self) -> bytes:
        """Lowercase hex as ASCII bytes (computed once: reveals reach 8 MB of hex)."""
        return binascii.hexlify(self.raw)

    @property
    def hex(self) -> str:
        return self.hex_bytes.decode("ascii")


def reveal_weight(script_size: int, outputs: Sequence[bytes]) -> int:
    """Weight of a 1-input script-path reveal with a 64-byte signature,
    ``script_size``-byte tapscript, a 33-byte control block and one output
    per script in ``outputs``."""
    base = 4 + 1 + 41 + len(compact_size(len(outputs))) + sum(txout_size(s) for s in outputs) + 4
    witness = 2 + 1 + (1 + SCHNORR_SIG_SIZE) + len(compact_size(script_size)) + script_size + (1 + 33)
    return 4 * base + witness


def script_size_of(weight: int, outputs: Sequence[bytes]) -> int | None:
    """The tapscript size ``L`` with ``reveal_weight(L, outputs) == weight``, or None if there is none."""
    fixed = reveal_weight(0, outputs) - 1  # everything but CompactSize(L) + L
    rest = weight - fixed
    for prefix in (1, 3, 5):
        size = rest - prefix
        if size >= 0 and reveal_weight(size, outputs) == weight:
            return size
    return None


def _build(
    fundings: Sequence[Funding], outputs: Sequence[tuple[bytes, int]], witnesses: Sequence[Sequence[bytes]]
) -> object:
    ensure_secp256k1()
    from bitcointx.core import COutPoint, CTransaction, CTxIn, CTxInWitness, CTxOut, CTxWitness, lx
    from bitcointx.core.script import CScript, CScriptWitness

    vin = [CTxIn(COutPoint(lx(f.txid), f.vout), nSequence=SEQUENCE) for f in fundings]
    vout = [CTxOut(value, CScript(spk)) for spk, value in outputs]
    wit = CTxWitness([CTxInWitness(CScriptWitness(list(items))) for items in witnesses])
    return CTransaction(vin, vout, nLockTime=0, nVersion=TX_VERSION, witness=wit)


def _signed(tx: object) -> SignedTx:
    from bitcointx.core import CTransaction, b2lx

    assert isinstance(tx, CTransaction)
    full = tx.serialize()
    stripped = tx.serialize(include_witness=False)
    return SignedTx(txid=b2lx(tx.GetTxid()), raw=full, weight=3 * len(stripped) + len(full))


def _sighash(tx: object, index: int, spent: Sequence[tuple[bytes, int]], leaf_hash: bytes | None) -> bytes:
    from bitcointx.core import CTransaction, CTxOut
    from bitcointx.core.script import SIGVERSION_TAPROOT, SIGVERSION_TAPSCRIPT, CScript, SignatureHashSchnorr

    assert isinstance(tx, CTransaction)
    spent_outs = [CTxOut(value, CScript(spk)) for spk, value in spent]
    if leaf_hash is None:
        return bytes(SignatureHashSchnorr(tx, index, spent_outs, sigversion=SIGVERSION_TAPROOT))
    return bytes(SignatureHashSchnorr(tx, index, spent_outs, sigversion=SIGVERSION_TAPSCRIPT, tapleaf_hash=leaf_hash))


def sign_reveal(
    secret: bytes, commitment: Commitment, script: bytes, funding: Funding, outputs: Sequence[tuple[bytes, int]]
) -> SignedTx:
    """Spend ``funding`` through the commitment's only leaf, ``script``."""
    unsigned = _build([funding], outputs, [[b""]])
    sighash = _sighash(unsigned, 0, [(commitment.script_pubkey, funding.sats)], commitment.leaf_hash)
    signature = sign_script_path(secret, sighash)
    signed = _signed(_build([funding], outputs, [[signature, script, commitment.control_block]]))
    expected = reveal_weight(len(script), [spk for spk, _ in outputs])
    if signed.weight != expected:
        raise InternalError(f"reveal weight {signed.weight} differs from the predicted {expected}")
    return signed


def dummy_reveal_weight(commitment: Commitment, script: bytes, outputs: Sequence[tuple[bytes, int]]) -> int:
    """Weight of a real serialization of the reveal with a 64-byte placeholder signature."""
    funding = Funding("00" * 32, 0, 0)
    return _signed(_build([funding], outputs, [[bytes(64), script, commitment.control_block]])).weight


def sweep_weight(n_inputs: int, output: bytes) -> int:
    """Weight of a key-path sweep of ``n_inputs`` P2TR outputs to one output."""
    base = 4 + len(compact_size(n_inputs)) + 41 * n_inputs + 1 + txout_size(output) + 4
    witness = 2 + n_inputs * (1 + 1 + SCHNORR_SIG_SIZE)
    return 4 * base + witness


def sign_sweep(
    keys: Sequence[tuple[bytes, Commitment]], fundings: Sequence[Funding], output: tuple[bytes, int]
) -> SignedTx:
    """Key-path spend of every funding (with its (secret, commitment)) to one output."""
    spent = [(c.script_pubkey, f.sats) for (_, c), f in zip(keys, fundings, strict=True)]
    unsigned = _build(fundings, [output], [[b""] for _ in fundings])
    sigs = [
        sign_key_path(secret, c.leaf_hash, _sighash(unsigned, i, spent, None)) for i, (secret, c) in enumerate(keys)
    ]
    signed = _signed(_build(fundings, [output], [[sig] for sig in sigs]))
    if signed.weight != sweep_weight(len(fundings), output[0]):
        raise InternalError("sweep weight differs from the prediction")
    return signed
