"""One funding payment on the kernel-backed regtest node: what a wallet does
with `enoch inscribe fund`'s outputs."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.regtest.codec import address_to_script
from tests.regtest.harness import Regtest
from tests.regtest.keys import build_spend


def core_outputs(text: str) -> list[tuple[bytes, int]]:
    """`enoch inscribe fund --format core` (Bitcoin Core `send` outputs, BTC) -> (scriptPubKey, sats)."""
    return [(address_to_script(a), int(v * 100_000_000)) for o in json.loads(text, parse_float=Decimal) for a, v in o.items()]


def pay_in_one_transaction(node: Regtest, outputs: list[tuple[bytes, int]]) -> bytes:
    """One transaction from the harness wallet paying every output (sent, not mined)."""
    total = sum(s for _, s in outputs)
    wallet = node.node.wallet
    coins: list[tuple[bytes, int, int]] = []
    for (txid, n), coin in node.node.wallet_coins():
        coins.append((txid, n, coin.value))
        if sum(c[2] for c in coins) >= total + 100_000:
            break
    change = sum(c[2] for c in coins) - total - 50_000  # 50,000 sats fee: plenty at any regtest rate
    raw = build_spend(wallet, coins, [*outputs, (wallet.script_pubkey, change)])
    node.rpc("sendrawtransaction", raw.hex())
    return raw
