"""Independent checks of our transactions with embit (a second Bitcoin
library): its own parser, BIP 341 sighash, tweak and BIP 340 verification."""

from __future__ import annotations

from collections.abc import Iterator

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
    # BIP 341 "Script validation rules", in order (our reveals carry no annex).
    tx = parse(raw)
    # Script path: two or more items; s = second-to-last (the script), c = last (control block).
    sig, script, control = tx.vin[index].witness.items
    # c is 33 + 32m bytes (m = 0: a single leaf, no Merkle path); leaf version v = c[0] & 0xfe.
    assert len(sig) == 64 and len(control) == 33 and control[0] & 0xFE == 0xC0
    # p = c[1:33], P = lift_x(p).
    internal = ec.PublicKey.from_xonly(control[1:])
    # k0 = hashTapLeaf(v || compact_size(len(s)) || s); with m = 0 it is the Merkle root.
    leaf = hashes.tagged_hash("TapLeaf", bytes([0xC0]) + Script(script).serialize())
    # Q = P + int(hashTapTweak(p || k0))G; q (the output's key) must equal x(Q) ...
    output_key = internal.taproot_tweak(leaf)
    spk, _ = spent[index]
    assert spk == b"\x51\x20" + output_key.xonly(), "control block does not commit to the spent output"
    # ... and c[0] & 1 must equal y(Q) mod 2 (computed with embit's curve code).
    tweak = hashes.tagged_hash("TapTweak", control[1:] + leaf)
    full = secp256k1.ec_pubkey_serialize(secp256k1.ec_pubkey_add(secp256k1.ec_pubkey_parse(b"\x02" + control[1:]), tweak))
    assert full[0] - 2 == control[0] & 1, "wrong parity bit in control block"
    # Execute s (BIP 342): <key> OP_CHECKSIG checks a BIP 340 signature over the
    # tapscript sighash (ext_flag 1, BIP 342 "Common signature message extension").
    msg = tx.sighash_taproot(
        index, [Script(s) for s, _ in spent], [v for _, v in spent], ext_flag=1, script=Script(script)
    )
    assert script[0] == 32 and script[33] == 0xAC
    signer = ec.PublicKey.from_xonly(script[1:33])
    assert signer.schnorr_verify(ec.SchnorrSig(sig), msg), "BIP 340 signature invalid for embit"
    return script


def check_key_path_spend(raw: bytes, index: int, spent: list[tuple[bytes, int]], internal_key: bytes, merkle_root: bytes) -> None:
    """Verify input ``index`` as a BIP 341 key-path spend of ``spent[index]``."""
    tx = parse(raw)
    # BIP 341: exactly one witness item is a key-path spend; it is a 64-byte
    # signature (SIGHASH_DEFAULT) by q, the output key P tweaked by the Merkle root.
    [sig] = tx.vin[index].witness.items
    assert len(sig) == 64
    output_key = ec.PublicKey.from_xonly(internal_key).taproot_tweak(merkle_root)
    assert spent[index][0] == b"\x51\x20" + output_key.xonly()
    msg = tx.sighash_taproot(index, [Script(s) for s, _ in spent], [v for _, v in spent])
    assert output_key.schnorr_verify(ec.SchnorrSig(sig), msg)


def ord_inscription_ids(raw: bytes) -> list[str]:
    """Inscription ids as ord assigns them, computed without enoch's parser:
    embit's txid, then ``id_counter`` over every envelope (``OP_FALSE OP_IF
    <"ord">``) of every input's tapscript, in input order; pointer tags and
    content do not matter (ord ``InscriptionUpdater``: ``InscriptionId { txid,
    index: id_counter }``, incremented once per envelope)."""
    tx = parse(raw)
    ids: list[str] = []
    for vin in tx.vin:
        items = vin.witness.items
        if len(items) < 2:
            continue
        ops = list(_tapscript_ops(items[-2]))
        for i in range(len(ops) - 2):
            if ops[i] == (0x00, b"") and ops[i + 1] == (0x63, None) and ops[i + 2] == (0x03, b"ord"):
                ids.append(f"{tx.txid().hex()}i{len(ids)}")
    return ids


def _tapscript_ops(script: bytes) -> Iterator[tuple[int, bytes | None]]:
    """(opcode, pushed data or None) for each instruction of ``script``."""
    i = 0
    while i < len(script):
        op = script[i]
        i += 1
        if op <= 0x4E:
            if op < 0x4C:
                n = op
            else:
                width = {0x4C: 1, 0x4D: 2, 0x4E: 4}[op]
                n = int.from_bytes(script[i : i + width], "little")
                i += width
            yield op, script[i : i + n]
            i += n
        else:
            yield op, None
