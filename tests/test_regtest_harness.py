"""The regtest harness itself: blocks mined here are accepted by Bitcoin
Core's libbitcoinkernel (the tip moves to them), tampered transactions are
refused by the kernel and by sendrawtransaction, and the RPC server answers
like bitcoind, demands auth and stops by itself."""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bitcointx.core import CMutableTransaction, CTransaction

from tests.regtest.client import RpcFailure, post
from tests.regtest.codec import address_to_script, internal_bytes
from tests.regtest.harness import Regtest
from tests.regtest.kernel import BlockRejected
from tests.regtest.keys import TaprootKey, build_spend

ALICE = TaprootKey(b"alice")


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Regtest]:
    harness = Regtest(tmp_path / "chain")
    try:
        yield harness
    finally:
        harness.stop()


def _tip(r: Regtest) -> tuple[int, str]:
    return r.rpc("getblockcount"), r.rpc("getbestblockhash")


def _alice_coin(r: Regtest, sats: int = 100_000) -> tuple[bytes, int, int]:
    txid, vout = r.fund(ALICE.address, sats)
    return internal_bytes(txid), vout, sats


def _rpc_error(r: Regtest, method: str, *params: object) -> RpcFailure:
    with pytest.raises(RpcFailure) as caught:
        r.rpc(method, *params)
    return caught.value


def test_mines_from_genesis_and_every_block_becomes_the_kernels_tip(chain: Regtest) -> None:
    genesis = chain.rpc("getblockhash", 0)
    assert genesis == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"  # Core's regtest genesis
    hashes = chain.mine(101)
    assert chain.node.kernel.height() == 101 == chain.rpc("getblockcount")
    assert [chain.rpc("getblockhash", h) for h in (1, 50, 101)] == [hashes[0], hashes[49], hashes[100]]
    header = chain.rpc("getblockheader", hashes[100])
    assert header["height"] == 101 and header["confirmations"] == 1 and header["bits"] == "207fffff"
    assert header["chainwork"] == f"{2 * 102:064x}"  # each regtest block is worth 2 hashes
    assert header["previousblockhash"] == hashes[99] and "nextblockhash" not in header
    raw = bytes.fromhex(chain.rpc("getblockheader", hashes[100], False))
    assert hashlib.sha256(hashlib.sha256(raw).digest()).digest()[::-1].hex() == hashes[100]
    # Consensus lets block 102 spend coinbases of blocks 1 and 2 (>= 100 blocks later).
    assert [coin.height for _, coin in chain.node.wallet_coins()] == [1, 2]


def test_fund_p2tr_then_a_valid_spend_is_mined_into_an_accepted_block(chain: Regtest) -> None:
    chain.mine(101)
    txid, vout = chain.fund(ALICE.address, 100_000)
    out = chain.rpc("gettxout", txid, vout)
    assert out["value"] == 0.001 and out["confirmations"] == 1
    assert out["scriptPubKey"]["address"] == ALICE.address and out["scriptPubKey"]["type"] == "witness_v1_taproot"
    spend = build_spend(ALICE, [(internal_bytes(txid), vout, 100_000)], [(chain.node.wallet.script_pubkey, 99_000)])
    sent = chain.rpc("sendrawtransaction", spend.hex())
    assert chain.rpc("getrawmempool") == [sent]
    assert chain.rpc("gettxout", txid, vout) is None  # spent in the mempool
    assert chain.rpc("gettxout", txid, vout, False)["confirmations"] == 1
    height, _ = _tip(chain)
    (block,) = chain.mine(1)
    assert _tip(chain) == (height + 1, block)
    assert chain.node.kernel.tip_hash()[::-1].hex() == block
    found = chain.rpc("getrawtransaction", sent, True)
    assert found["blockhash"] == block and found["confirmations"] == 1 and found["hex"] == spend.hex()
    assert chain.rpc("getrawmempool") == [] and chain.rpc("gettxout", txid, vout, False) is None


def _flip_signature_byte(raw: bytes) -> bytes:
    tx = CMutableTransaction.from_tx(CTransaction.deserialize(raw))
    sig = bytearray(tx.wit.vtxinwit[0].scriptWitness.stack[0])
    sig[10] ^= 0x01
    bad = bytes(tx.serialize()).replace(bytes(tx.wit.vtxinwit[0].scriptWitness.stack[0]), bytes(sig))
    assert bad != raw and len(bad) == len(raw)
    return bad


def _lower_first_output(raw: bytes, by: int) -> bytes:
    tx = CMutableTransaction.from_tx(CTransaction.deserialize(raw))
    tx.vout[0].nValue -= by
    return bytes(tx.serialize())


@pytest.mark.parametrize("tamper", [_flip_signature_byte, lambda raw: _lower_first_output(raw, 1_000)])
def test_a_tampered_spend_is_refused_by_the_kernel_and_by_sendrawtransaction(chain: Regtest, tamper: object) -> None:
    chain.mine(101)
    coin = _alice_coin(chain)
    good = build_spend(ALICE, [coin], [(chain.node.wallet.script_pubkey, 99_000)])
    assert callable(tamper)
    bad = tamper(good)
    error = _rpc_error(chain, "sendrawtransaction", bad.hex())
    assert (error.code, error.status) == (-26, 500)
    assert error.message.startswith("mandatory-script-verify-flag-failed")
    (verdict,) = chain.rpc("testmempoolaccept", [bad.hex()])
    assert verdict["allowed"] is False and verdict["reject-reason"].startswith("mandatory-script-verify-flag-failed")
    before = _tip(chain)
    with pytest.raises(BlockRejected) as rejected:
        chain.mine_txs([bad])
    assert "block-script-verify-flag-failed (Invalid Schnorr signature)" in rejected.value.reason
    assert _tip(chain) == before
    assert _rpc_error(chain, "getrawtransaction", CTransaction.deserialize(bad).GetTxid()[::-1].hex()).code == -5
    # The untampered transaction goes through, so the refusal was the tampering.
    assert chain.rpc("testmempoolaccept", [good.hex()])[0]["allowed"] is True
    block = chain.mine_txs([good])
    assert _tip(chain) == (before[0] + 1, block)


def test_policy_rejections_carry_cores_codes_and_reasons(chain: Regtest) -> None:
    chain.mine(101)
    coin = _alice_coin(chain, 200_000)
    to_wallet = chain.node.wallet.script_pubkey
    cases = {
        "dust": build_spend(ALICE, [coin], [(to_wallet, 329)]),
        "min relay fee not met, 0 < 111": build_spend(ALICE, [coin], [(to_wallet, 200_000)]),
        "bad-txns-in-belowout, value in (0.002) < value out (0.00200001)": build_spend(ALICE, [coin], [(to_wallet, 200_001)]),
        "tx-size": build_spend(ALICE, [coin], [(to_wallet, 10_000), (b"\x6a" + b"\x00" * 100_000, 0)]),
    }
    for reason, raw in cases.items():
        error = _rpc_error(chain, "sendrawtransaction", raw.hex())
        assert (error.code, error.message) == (-26, reason)
    missing = build_spend(ALICE, [(b"\x01" * 32, 0, 1000)], [(to_wallet, 500)])
    error = _rpc_error(chain, "sendrawtransaction", missing.hex())
    assert (error.code, error.message) == (-25, "bad-txns-inputs-missingorspent")
    assert chain.rpc("testmempoolaccept", [missing.hex()])[0]["reject-reason"] == "missing-inputs"
    assert chain.rpc("getrawmempool") == []
    # Policy is not consensus: the kernel accepts the 400,000+ WU transaction in a block.
    height = chain.rpc("getblockcount")
    chain.mine_txs([cases["tx-size"]])
    assert chain.rpc("getblockcount") == height + 1


def test_immature_coinbase_and_double_spends_are_refused(chain: Regtest) -> None:
    chain.mine(101)
    block = chain.rpc("getblockheader", chain.rpc("getblockhash", 101))
    coinbase_txid = chain.node.ledger.txindex  # find block 101's coinbase among confirmed txs
    immature = [t for t, c in coinbase_txid.items() if c.height == 101 and c.info.is_coinbase]
    assert block["nTx"] == 1 and len(immature) == 1
    spend = build_spend(chain.node.wallet, [(immature[0], 0, 5_000_000_000)], [(address_to_script(ALICE.address), 10_000)])
    error = _rpc_error(chain, "sendrawtransaction", spend.hex())
    assert (error.code, error.message) == (-26, "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 1")
    with pytest.raises(BlockRejected) as rejected:  # the kernel agrees
        chain.mine_txs([spend])
    assert rejected.value.reason.startswith("INVALID/CONSENSUS: bad-txns-premature-spend-of-coinbase")
    coin = _alice_coin(chain)
    first = build_spend(ALICE, [coin], [(chain.node.wallet.script_pubkey, 99_000)])
    second = build_spend(ALICE, [coin], [(chain.node.wallet.script_pubkey, 99_500)])  # less fee: no replacement
    chain.rpc("sendrawtransaction", first.hex())
    assert chain.rpc("sendrawtransaction", first.hex()) == chain.rpc("getrawmempool")[0]
    assert _rpc_error(chain, "sendrawtransaction", second.hex()).message.startswith("insufficient fee, rejecting replacement")
    chain.mine(1)
    error = _rpc_error(chain, "sendrawtransaction", first.hex())
    assert (error.code, error.message) == (-27, "Transaction outputs already in utxo set")


def test_rpc_shapes_params_and_errors(chain: Regtest) -> None:
    hashes = chain.mine(3)
    assert chain.rpc("getblockhash", 3) == hashes[2]
    assert post(chain.url, {"method": "getblockhash", "params": {"height": 2}}, chain.auth)[1]["result"] == hashes[1]
    assert _rpc_error(chain, "getblockhash", 4).code == -8
    assert _rpc_error(chain, "getblockheader", "00" * 32).message == "Block not found"
    assert _rpc_error(chain, "getblockheader", "zz").code == -8
    error = _rpc_error(chain, "getrawtransaction", "ab" * 32)
    assert (error.code, error.status) == (-5, 500) and error.message.startswith("No such mempool or blockchain transaction")
    error = _rpc_error(chain, "getblockcountt")
    assert (error.code, error.status) == (-32601, 404)
    assert _rpc_error(chain, "sendrawtransaction", "00zz").code == -22
    header = chain.rpc("getblockheader", hashes[0])
    assert header["nextblockhash"] == hashes[1] and header["confirmations"] == 3 and header["nTx"] == 1
    coinbase = chain.node.ledger.txindex
    (cb,) = [t for t, c in coinbase.items() if c.height == 2]
    tx = chain.rpc("getrawtransaction", cb[::-1].hex(), 1)
    assert "coinbase" in tx["vin"][0] and tx["vout"][0]["value"] == 50.0 and tx["confirmations"] == 2
    assert tx["vout"][0]["scriptPubKey"]["address"] == chain.node.wallet.address
    chain.fee_rate = "2.5"
    assert chain.rpc("estimatesmartfee", 6) == {"feerate": 0.000025, "blocks": 6}
    chain.fee_rate = None
    assert chain.rpc("estimatesmartfee", 1) == {"errors": ["Insufficient data or no feerate found"], "blocks": 0}
    assert _rpc_error(chain, "estimatesmartfee", 0).code == -8
    v2 = post(chain.url, {"jsonrpc": "2.0", "id": 7, "method": "nope"}, chain.auth)
    assert v2 == (200, {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 7})
    status, batch = post(chain.url, [{"method": "getblockcount", "id": 1}, {"method": "x", "id": 2}], chain.auth)
    assert status == 200 and batch[0]["result"] == 3 and batch[1]["error"]["code"] == -32601
    generated = chain.rpc("generatetoaddress", 2, ALICE.address)
    assert len(generated) == 2 and chain.rpc("getblockcount") == 5
    assert _rpc_error(chain, "generatetoaddress", 1, "bc1qnotregtest").code == -5


def test_auth_is_required_and_the_cookie_is_cores(chain: Regtest) -> None:
    assert post(chain.url, {"method": "getblockcount"}, None) == (401, None)
    assert post(chain.url, {"method": "getblockcount"}, chain.auth + "x") == (401, None)
    assert post(chain.url, {"method": "getblockcount"}, "__cookie__:" + "00" * 32) == (401, None)
    cookie = chain.cookie_path.read_text()
    user, _, secret = cookie.partition(":")
    assert user == "__cookie__" and len(bytes.fromhex(secret)) == 32
    assert stat.S_IMODE(os.stat(chain.cookie_path).st_mode) == 0o600
    assert post(chain.url, {"method": "getblockcount"}, cookie)[1]["result"] == 0
    assert post(chain.url, {"method": "getblockcount"}, chain.auth)[1]["result"] == 0


def test_the_server_stops_by_itself_when_idle(tmp_path: Path) -> None:
    harness = Regtest(tmp_path / "idle", idle_timeout=0.3, lifetime=30)
    try:
        port = harness.server.port
        assert harness.rpc("getblockcount") == 0
        assert harness.server.join(timeout=5), "server still running after its idle timeout"
        assert not harness.server.running and not harness.cookie_path.exists()
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    finally:
        harness.stop()


def test_the_server_stops_by_itself_after_its_lifetime_even_when_busy(tmp_path: Path) -> None:
    harness = Regtest(tmp_path / "busy", idle_timeout=30, lifetime=0.5)
    try:
        deadline = time.monotonic() + 5
        while harness.server.running and time.monotonic() < deadline:
            harness.rpc("getblockcount")
            time.sleep(0.05)
        assert harness.server.join(timeout=5) and not harness.server.running
    finally:
        harness.stop()
