"""Replace-by-fee in the regtest harness, Bitcoin Core's rules as
doc/policy/mempool-replacements.md states them (full RBF, Core 28's default):
a valid replacement evicts the original and its descendants and is mined in
a block the kernel accepts, after which the original cannot be mined; each
rule's failure is refused by sendrawtransaction (-26) and testmempoolaccept
with Core's reason and details, and leaves the mempool as it was."""

from __future__ import annotations

import pytest

from tests.regtest.client import RpcFailure
from tests.regtest.codec import parse_tx
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.kernel import BlockRejected
from tests.regtest.keys import TaprootKey, build_spend
from tests.regtest.policy import Policy

ALICE = TaprootKey(b"alice")
BOB = TaprootKey(b"bob")
Coin = tuple[bytes, int, int]


def _coins(chain: Regtest, n: int, sats: int = 100_000) -> list[Coin]:
    """``n`` confirmed coins of ``sats`` paying ALICE, from one funding transaction."""
    info = chain.node.pay([(ALICE.script_pubkey, sats)] * n)
    chain.mine(1)
    return [(info.txid, i, sats) for i in range(n)]


def _spend(coins: list[Coin], outputs: list[tuple[TaprootKey, int]], *, sequence: int = 0xFFFFFFFD) -> bytes:
    return build_spend(ALICE, coins, [(k.script_pubkey, sats) for k, sats in outputs], sequence=sequence)


def _send(chain: Regtest, raw: bytes) -> str:
    txid: str = chain.rpc("sendrawtransaction", raw.hex())
    return txid


def _txid(raw: bytes) -> str:
    return parse_tx(raw).txid_hex


def _vsize(raw: bytes) -> int:
    return parse_tx(raw).vsize


def _out(raw: bytes, vout: int) -> Coin:
    info = parse_tx(raw)
    return info.txid, vout, int(info.tx.vout[vout].nValue)


def _refused(chain: Regtest, raw: bytes, reason: str, details: str = "") -> None:
    """Both RPCs refuse ``raw`` with Core's reason (and details); nothing changes."""
    before = chain.rpc("getrawmempool")
    message = f"{reason}, {details}" if details else reason
    (verdict,) = chain.rpc("testmempoolaccept", [raw.hex()])
    assert (verdict["allowed"], verdict["reject-reason"], verdict["reject-details"]) == (False, reason, message)
    with pytest.raises(RpcFailure) as caught:
        chain.rpc("sendrawtransaction", raw.hex())
    assert (caught.value.code, caught.value.message) == (-26, message)
    assert chain.rpc("getrawmempool") == before


def _btc_per_kvb(fee: int, vsize: int) -> str:
    per_kvb = fee * 1000 // vsize  # Core 28/29's CFeeRate truncates
    return f"0.{per_kvb:08d} BTC/kvB"


def test_a_replacement_evicts_the_original_and_its_child_and_is_mined(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    (a,) = _coins(chain, 1)
    original = _spend([a], [(ALICE, 99_000)])  # fee 1,000
    child = _spend([_out(original, 0)], [(ALICE, 98_000)])  # fee 1,000
    for raw in (original, child):
        _send(chain, raw)
    bump = _spend([a], [(BOB, 97_000)])  # fee 3,000 >= 2,000 evicted + 1 sat/vB x its vsize
    (verdict,) = chain.rpc("testmempoolaccept", [bump.hex()])
    assert verdict["allowed"] is True and verdict["fees"]["base"] == 0.00003
    assert chain.rpc("getrawmempool") == [_txid(original), _txid(child)]  # a test evicts nothing
    assert _send(chain, bump) == _txid(bump)
    assert chain.rpc("getrawmempool") == [_txid(bump)]
    for gone in (original, child):
        with pytest.raises(RpcFailure) as caught:
            chain.rpc("getrawtransaction", _txid(gone))
        assert caught.value.code == -5
    height = chain.rpc("getblockcount")
    (block,) = chain.mine(1)
    assert chain.node.kernel.tip_hash()[::-1].hex() == block
    mined = chain.rpc("getrawtransaction", _txid(bump), True)
    assert (mined["blockhash"], mined["confirmations"]) == (block, 1)
    # The original can no longer be mined (the kernel refuses the block) nor sent.
    with pytest.raises(BlockRejected) as rejected:
        chain.mine_txs([original])
    assert "bad-txns-inputs-missingorspent" in rejected.value.reason
    assert chain.rpc("getblockcount") == height + 1
    with pytest.raises(RpcFailure) as caught:
        chain.rpc("sendrawtransaction", original.hex())
    assert (caught.value.code, caught.value.message) == (-25, "bad-txns-inputs-missingorspent")


def test_rule_6_a_replacement_needs_a_higher_feerate_than_each_direct_conflict(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    a, b = _coins(chain, 2)
    original = _spend([a], [(ALICE, 99_000)])  # 1,000 sats / 111 vB
    _send(chain, original)
    old = _btc_per_kvb(1_000, _vsize(original))
    bigger = _spend([a, b], [(BOB, 198_500)])  # more fees (1,500) at a lower feerate
    details = f"rejecting replacement {_txid(bigger)}; new feerate {_btc_per_kvb(1_500, _vsize(bigger))} <= old feerate {old}"
    _refused(chain, bigger, "insufficient fee", details)
    same_rate = _spend([a], [(BOB, 99_000)])  # equal feerate is not higher
    assert _vsize(same_rate) == _vsize(original)
    _refused(chain, same_rate, "insufficient fee", f"rejecting replacement {_txid(same_rate)}; new feerate {old} <= old feerate {old}")


def test_rules_3_and_4_the_evicted_fees_and_the_relay_of_the_replacement(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    a, b = _coins(chain, 2)
    # Rule 3: the child's fees count, not only the direct conflict's.
    original = _spend([a], [(ALICE, 99_000)])  # fee 1,000
    rich_child = _spend([_out(original, 0)], [(ALICE, 79_000)])  # fee 20,000
    for raw in (original, rich_child):
        _send(chain, raw)
    cheap = _spend([a], [(BOB, 95_000)])  # fee 5,000: a higher feerate than the original, fewer fees than both
    _refused(chain, cheap, "insufficient fee", f"rejecting replacement {_txid(cheap)}, less fees than conflicting txs; 0.00005 < 0.00021")
    # Rule 4: 1 sat/vB x its own vsize on top of what it evicts.
    other = _spend([b], [(ALICE, 99_000)])  # fee 1,000
    _send(chain, other)
    vsize = _vsize(other)
    short = _spend([b], [(BOB, 99_000 - vsize + 1)])  # one sat short
    assert _vsize(short) == vsize == 111
    details = f"rejecting replacement {_txid(short)}, not enough additional fees to relay; 0.0000011 < 0.00000111"
    _refused(chain, short, "insufficient fee", details)
    enough = _spend([b], [(BOB, 99_000 - vsize)])
    assert _send(chain, enough) == _txid(enough)
    assert chain.rpc("getrawmempool") == [_txid(original), _txid(rich_child), _txid(enough)]


def test_rule_5_at_most_100_transactions_evicted(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    coins = _coins(chain, 101, 10_000)
    originals = [_spend([c], [(ALICE, 9_000)]) for c in coins]  # 101 direct conflicts, fee 1,000 each
    for raw in originals:
        _send(chain, raw)
    every = _spend(coins, [(BOB, 1_010_000 - 120_000)])
    details = f"rejecting replacement {_txid(every)}; too many potential replacements (101 > 100)"
    _refused(chain, every, "too many potential replacements", details)
    hundred = _spend(coins[:100], [(BOB, 1_000_000 - 110_000)])
    assert _send(chain, hundred) == _txid(hundred)
    assert chain.rpc("getrawmempool") == [_txid(originals[100]), _txid(hundred)]
    chain.mine(1)
    assert chain.rpc("getrawtransaction", _txid(hundred), True)["confirmations"] == 1


def test_rule_2_no_new_unconfirmed_inputs(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    a, b, c = _coins(chain, 3)
    unrelated = _spend([b], [(ALICE, 99_000)])
    original = _spend([a], [(ALICE, 99_000)])
    for raw in (unrelated, original):
        _send(chain, raw)
    adds = _spend([a, _out(unrelated, 0)], [(BOB, 190_000)])
    _refused(chain, adds, "replacement-adds-unconfirmed", f"replacement {_txid(adds)} adds unconfirmed input, idx 1")
    # An unconfirmed input the replaced transaction already spent from is allowed.
    parent = _spend([c], [(ALICE, 99_000)])
    spends_parent = _spend([_out(parent, 0)], [(ALICE, 98_000)])
    for raw in (parent, spends_parent):
        _send(chain, raw)
    again = _spend([_out(parent, 0)], [(BOB, 95_000)])
    assert _send(chain, again) == _txid(again)
    assert chain.rpc("getrawmempool") == [_txid(unrelated), _txid(original), _txid(parent), _txid(again)]


def test_a_replacement_may_not_spend_what_it_replaces(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    a, b = _coins(chain, 2)
    original = _spend([a, b], [(ALICE, 99_000), (ALICE, 99_000)])
    _send(chain, original)
    own_child = _spend([a, _out(original, 0)], [(BOB, 150_000)])
    details = f"{_txid(own_child)} spends conflicting transaction {_txid(original)}"
    _refused(chain, own_child, "bad-txns-spends-conflicting-tx", details)


def test_rule_1_full_rbf_replaces_non_signalling_transactions_unless_turned_off(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    a, b = _coins(chain, 2)
    final = _spend([a], [(ALICE, 99_000)], sequence=0xFFFFFFFE)  # no BIP 125 signal
    _send(chain, final)
    bump_a = _spend([a], [(BOB, 97_000)], sequence=0xFFFFFFFE)
    signalling = _spend([b], [(ALICE, 99_000)])
    _send(chain, signalling)
    bump_b = _spend([b], [(BOB, 97_000)])
    chain.node.rules = Policy(full_rbf=False)  # -mempoolfullrbf=0, Core <= 27's default
    _refused(chain, bump_a, "txn-mempool-conflict")
    assert _send(chain, bump_b) == _txid(bump_b)
    chain.node.rules = Policy()  # full RBF
    assert _send(chain, bump_a) == _txid(bump_a)
    assert chain.rpc("getrawmempool") == [_txid(bump_b), _txid(bump_a)]


def test_testmempoolaccept_of_several_transactions_allows_no_replacement(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    a, b = _coins(chain, 2)
    _send(chain, _spend([a], [(ALICE, 99_000)]))
    bump = _spend([a], [(BOB, 97_000)])
    unrelated = _spend([b], [(ALICE, 99_000)])
    first, second = chain.rpc("testmempoolaccept", [bump.hex(), unrelated.hex()])
    assert (first["allowed"], first["reject-reason"]) == (False, "bip125-replacement-disallowed")
    assert second["allowed"] is True
    assert chain.rpc("testmempoolaccept", [bump.hex()])[0]["allowed"] is True


def test_a_transaction_already_in_the_mempool_is_named_by_witness(regtest_node: Regtest) -> None:  # noqa: F811
    chain = regtest_node
    (a,) = _coins(chain, 1)
    sent = _spend([a], [(ALICE, 99_000)])
    _send(chain, sent)
    (same,) = chain.rpc("testmempoolaccept", [sent.hex()])
    assert same["reject-reason"] == "txn-already-in-mempool"
    other_witness = bytearray(sent)
    other_witness[-10] ^= 1  # inside the signature: same txid, other wtxid
    assert _txid(bytes(other_witness)) == _txid(sent)
    (verdict,) = chain.rpc("testmempoolaccept", [bytes(other_witness).hex()])
    assert verdict["reject-reason"] == "txn-same-nonwitness-data-in-mempool"
