"""JSON shapes of Bitcoin Core's RPC replies: decoded transactions, block
headers, scriptPubKeys and amounts."""

from __future__ import annotations

import struct
from typing import Any

from bitcointx.core.script import CScript, CScriptOp

from tests.regtest.blocks import bits_to_target, block_work
from tests.regtest.codec import TxInfo, display_hex, script_to_address, script_type, sha256d

JSON = dict[str, Any]


def btc(sats: int) -> float:
    """Amounts are JSON numbers in BTC, as Core prints them."""
    return sats / 100_000_000


def asm(script: bytes) -> str:
    """Core's ScriptToAsmStr (pushes of at most 4 bytes as numbers)."""
    parts: list[str] = []
    try:
        for op in CScript(script):
            if isinstance(op, CScriptOp):
                value = int(op)
                if value == 0:
                    parts.append("0")
                elif value == 0x4F:
                    parts.append("-1")
                elif 0x51 <= value <= 0x60:
                    parts.append(str(value - 0x50))
                else:
                    parts.append(str(op))
            elif isinstance(op, bytes) and 0 < len(op) <= 4:
                number = int.from_bytes(op, "little") & ~(0x80 << 8 * (len(op) - 1))
                parts.append(str(-number if op[-1] & 0x80 else number))
            elif isinstance(op, bytes):
                parts.append(op.hex())
            else:
                parts.append(str(op))
    except Exception:  # truncated push: Core appends "[error]"
        parts.append("[error]")
    return " ".join(parts)


def script_pubkey(script: bytes) -> JSON:
    view: JSON = {"asm": asm(script), "hex": script.hex(), "type": script_type(script)}
    address = script_to_address(script)
    if address is not None:
        view["address"] = address
    return view


def transaction(info: TxInfo) -> JSON:
    tx = info.tx
    vin: list[JSON] = []
    for i, txin in enumerate(tx.vin):
        entry: JSON
        if info.is_coinbase:
            entry = {"coinbase": bytes(txin.scriptSig).hex()}
        else:
            script_sig = bytes(txin.scriptSig)
            entry = {
                "txid": display_hex(bytes(txin.prevout.hash)),
                "vout": txin.prevout.n,
                "scriptSig": {"asm": asm(script_sig), "hex": script_sig.hex()},
            }
        if tx.has_witness() and tx.wit.vtxinwit[i].scriptWitness.stack:
            entry["txinwitness"] = [bytes(item).hex() for item in tx.wit.vtxinwit[i].scriptWitness.stack]
        entry["sequence"] = txin.nSequence
        vin.append(entry)
    vout = [
        {"value": btc(int(out.nValue)), "n": n, "scriptPubKey": script_pubkey(bytes(out.scriptPubKey))}
        for n, out in enumerate(tx.vout)
    ]
    return {
        "txid": info.txid_hex,
        "hash": display_hex(info.wtxid),
        "version": tx.nVersion,
        "size": info.size,
        "vsize": info.vsize,
        "weight": info.weight,
        "locktime": tx.nLockTime,
        "vin": vin,
        "vout": vout,
        "hex": info.raw.hex(),
    }


def difficulty(bits: int) -> float:
    """Core's GetDifficulty (relative to 0x1d00ffff)."""
    shift = (bits >> 24) & 0xFF
    diff = 0x0000FFFF / (bits & 0x00FFFFFF)
    while shift < 29:
        diff *= 256.0
        shift += 1
    while shift > 29:
        diff /= 256.0
        shift -= 1
    return diff


def header(
    raw: bytes, *, height: int, tip_height: int, n_tx: int, chain_times: list[int], chain_bits: list[int], next_hash: str | None
) -> JSON:
    """``getblockheader`` verbose. ``chain_times``/``chain_bits``: every
    block's time and nBits from genesis up to this one."""
    version, = struct.unpack_from("<i", raw, 0)
    timestamp, bits, nonce = struct.unpack_from("<III", raw, 68)
    recent = sorted(chain_times[-11:])
    view: JSON = {
        "hash": display_hex(sha256d(raw)),
        "confirmations": tip_height - height + 1,
        "height": height,
        "version": version,
        "versionHex": f"{version & 0xFFFFFFFF:08x}",
        "merkleroot": display_hex(raw[36:68]),
        "time": timestamp,
        "mediantime": recent[len(recent) // 2],
        "nonce": nonce,
        "bits": f"{bits:08x}",
        "target": f"{bits_to_target(bits):064x}",
        "difficulty": difficulty(bits),
        "chainwork": f"{sum(block_work(b) for b in chain_bits):064x}",
        "nTx": n_tx,
    }
    if height > 0:
        view["previousblockhash"] = display_hex(raw[4:36])
    if next_hash is not None:
        view["nextblockhash"] = next_hash
    return view
