"""Independent checks of our transactions with embit (a second Bitcoin
library): its own parser, BIP 341 sighash, tweak and BIP 340 verification."""

from __future__ import annotations

from embit import ec, hashes
from embit.util import secp256k1
from embit.script import Script
from embit.transaction import Transaction


def parse(raw: bytes) -> Transaction:
    tx = Transaction.parse(raw)
    assert tx.serialize() == raw
    return tx


def check_script_path_spend(raw: bytes, index: int, spent: list[tuple[bytes, int]]) -> bytes:
    """Verify input ``index`` as a tapscript ``<key> OP_CHECKSIG ...`` spend of
    ``spent[index]``; returns the tapscript."""
    tx = parse(raw)
    sig, script, control = tx.vin[index].witness.items
    assert len(sig) == 64 and len(control) == 33 and control[0] & 0xFE == 0xC0
    internal = ec.PublicKey.from_xonly(control[1:])
    leaf = hashes.tagged_hash("TapLeaf", bytes([0xC0]) + Script(script).serialize())
    output_key = internal.taproot_tweak(leaf)
    spk, _ = spent[index]
    assert spk == b"\x51\x20" + output_key.xonly(), "control block does not commit to the spent output"
    # Parity of Q = P + H_TapTweak(P || leaf) G, computed with embit's curve code.
    tweak = hashes.tagged_hash("TapTweak", control[1:] + leaf)
    full = secp256k1.ec_pubkey_serialize(secp256k1.ec_pubkey_add(secp256k1.ec_pubkey_parse(b"\x02" + control[1:]), tweak))
    assert full[0] - 2 == control[0] & 1, "wrong parity bit in control block"
    msg = tx.sighash_taproot(
        index, [Script(s) for s, _ in spent], [v for _, v in spent], ext_flag=1, script=Script(script)
    )
    assert script[0] == 32 and script[33] == 0xAC
    signer = ec.PublicKey.from_xonly(script[1:33])
    assert signer.schnorr_verify(ec.SchnorrSig(sig), msg), "BIP 340 signature invalid for embit"
    return script


def check_key_path_spend(raw: bytes, index: int, spent: list[tuple[bytes, int]], internal_key: bytes, merkle_root: bytes) -> None:
    tx = parse(raw)
    [sig] = tx.vin[index].witness.items
    assert len(sig) == 64
    output_key = ec.PublicKey.from_xonly(internal_key).taproot_tweak(merkle_root)
    assert spent[index][0] == b"\x51\x20" + output_key.xonly()
    msg = tx.sighash_taproot(index, [Script(s) for s, _ in spent], [v for _, v in spent])
    assert output_key.schnorr_verify(ec.SchnorrSig(sig), msg)
