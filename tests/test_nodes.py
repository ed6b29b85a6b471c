"""toolkit.sources.nodes against a fake bitcoind/Esplora node on 127.0.0.1:
every answer is checked (a transaction must hash to its txid, a header to its
hash); a node that lies is exit 69 "gave garbage"."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from inscriptions.transactions.rawtx import compact_size, parse_tx
from tests.fakenode import FakeChain, fake_node, sha256d
from toolkit.core.errors import SourceUnavailableError, TxNotFoundError, UsageError
from toolkit.sources.http import HttpPolicy
from toolkit.sources.nodes import Node, TxRejected, TxStatus, open_node

FAST = HttpPolicy(timeout=2, attempts=2, backoff=0, sleep=lambda _s: None)
KINDS = ["bitcoind", "mempool"]


def make_tx(tag: int, *, witness: bool = True) -> bytes:
    """A well-formed transaction (not valid on any chain: the fake does not check scripts)."""
    body = bytes([1]) + tag.to_bytes(32, "little") + (0).to_bytes(4, "little") + b"\x00" + b"\xfd\xff\xff\xff"
    body += bytes([1]) + (5000 + tag).to_bytes(8, "little") + compact_size(22) + b"\x00\x14" + bytes(20)
    wit = bytes([1]) + compact_size(64) + bytes([tag % 256]) * 64
    version, locktime = (2).to_bytes(4, "little"), bytes(4)
    return version + (b"\x00\x01" + body + wit if witness else body) + locktime


@pytest.fixture(params=KINDS)
def node_chain(request: pytest.FixtureRequest) -> Iterator[tuple[Node, FakeChain]]:
    chain = FakeChain()
    with fake_node(chain) as url:
        yield open_node(f"{request.param}:{url}", policy=FAST, environ={}), chain


def test_heights_hashes_and_headers(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    chain.mine()
    chain.mine()
    assert node.tip_height() == 2
    for height in range(3):
        want = sha256d(chain.headers[height])
        assert node.block_hash_internal_at(height) == want == node.block_hash_at(height)
        assert node.header(want) == chain.headers[height]


def test_send_status_and_raw_tx_round_trip(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    raw = make_tx(7)
    txid = parse_tx(raw).txid
    assert node.tx_status(txid) is None
    assert node.send_tx(raw) == txid
    assert node.tx_status(txid) == TxStatus(0)
    assert node.raw_tx(txid) == raw == node.raw_tx(bytes.fromhex(txid)[::-1])  # display hex or internal bytes
    block = chain.mine()
    chain.mine()
    assert node.tx_status(txid) == TxStatus(2, 1, block)


def test_refused_transaction_is_tx_rejected_with_the_reason(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    chain.refuse = lambda _raw: "min relay fee not met"
    with pytest.raises(TxRejected, match="min relay fee not met") as caught:
        node.send_tx(make_tx(1))
    assert caught.value.exit_code == 69 and "min relay fee not met" in caught.value.reason


def test_test_accept_is_bitcoind_only() -> None:
    chain = FakeChain()
    with fake_node(chain) as url:
        bitcoind = open_node(f"bitcoind:{url}", policy=FAST, environ={})
        assert bitcoind.test_accept(make_tx(2)) == (True, "")
        chain.refuse = lambda _raw: "bad-txns-inputs-missingorspent"
        assert bitcoind.test_accept(make_tx(2)) == (False, "bad-txns-inputs-missingorspent")
        assert open_node(f"mempool:{url}", policy=FAST).test_accept(make_tx(2)) is None
    assert chain.calls.count("testmempoolaccept") == 2 and "sendrawtransaction" not in chain.calls


def test_a_tx_that_does_not_hash_to_the_txid_is_refused(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    raw, other = make_tx(3), make_tx(4)
    node.send_tx(raw)
    txid = parse_tx(raw).txid
    chain.lie_tx[txid] = other
    with pytest.raises(SourceUnavailableError, match=f"gave garbage: asked for transaction {txid}, got one that hashes to {parse_tx(other).txid}"):
        node.raw_tx(txid)
    chain.lie_tx[txid] = raw + b"\x00"  # trailing byte
    with pytest.raises(SourceUnavailableError, match="does not parse"):
        node.raw_tx(txid)


def test_witness_is_stripped_for_the_txid_but_kept_in_the_answer(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    raw = make_tx(5)
    node.send_tx(raw)
    txid = parse_tx(raw).txid
    assert txid == sha256d(make_tx(5, witness=False))[::-1].hex()
    # A node answering the same tx with another witness answers a tx with the
    # same txid: accepted (the txid does not commit to the witness) ...
    swapped = raw[:-70] + b"\x01\x40" + b"\xee" * 64 + raw[-4:]
    assert parse_tx(swapped).txid == txid
    chain.lie_tx[txid] = swapped
    assert node.raw_tx(txid) == swapped
    # ... which is why the reveal broadcast compares full bytes (wtxid), not just txids.


def test_a_header_that_does_not_hash_to_the_block_is_refused(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    chain.mine()
    block = sha256d(chain.headers[1])
    chain.lie_header[block] = chain.headers[0]
    with pytest.raises(SourceUnavailableError, match="gave garbage: asked for header"):
        node.header(block)
    chain.lie_header[block] = chain.headers[1][:79]
    with pytest.raises(SourceUnavailableError, match="a header is 80 bytes, got 79"):
        node.header(block)


def test_send_answering_another_txid_is_refused(node_chain: tuple[Node, FakeChain]) -> None:
    node, chain = node_chain
    chain.lie_send_txid = "ab" * 32
    with pytest.raises(SourceUnavailableError, match="gave garbage"):
        node.send_tx(make_tx(6))


def test_unreachable_node_is_69() -> None:
    with fake_node(FakeChain()) as url:
        pass
    for kind in KINDS:
        with pytest.raises(SourceUnavailableError) as caught:
            open_node(f"{kind}:{url}", policy=FAST, environ={}).tip_height()
        assert caught.value.exit_code == 69


@pytest.mark.parametrize("spec", ["electrum:http://x", "bitcoind", "mempool:", "bitcoind:http://u:p@127.0.0.1:1", "mempool:ftp://x"])
def test_bad_node_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError):
        open_node(spec)


@pytest.mark.parametrize("txid", ["zz" * 32, "ab" * 31, "0x" + "ab" * 31])
def test_bad_txids_are_usage_errors(txid: str) -> None:
    with fake_node(FakeChain()) as url:
        with pytest.raises(UsageError):
            open_node(f"mempool:{url}", policy=FAST).raw_tx(txid)


def test_garbage_heights_are_refused() -> None:
    from tests.httpfake import Reply, serve

    for body in (b"-1", b"12a", b"9" * 5000, b"\xff"):
        with serve(Reply(body=body)) as (url, _):
            with pytest.raises(SourceUnavailableError, match="garbage"):
                open_node(f"mempool:{url}", policy=FAST).tip_height()
    with serve(Reply(body=b'{"result": 1e9999999999999999999, "error": null}')) as (url, _):
        with pytest.raises(SourceUnavailableError, match="not JSON"):
            open_node(f"bitcoind:{url}", policy=FAST, environ={}).tip_height()
    with serve(Reply(body=b'{"result": true, "error": null}')) as (url, _):
        with pytest.raises(SourceUnavailableError, match="not a block height"):
            open_node(f"bitcoind:{url}", policy=FAST, environ={}).tip_height()


def test_node_timeouts_are_total_deadlines() -> None:
    from tests.hostile_http import hostile, trickle

    with hostile(trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n123", 0.1)) as (url, _):
        start = time.monotonic()
        with pytest.raises(SourceUnavailableError, match="timed out"):
            open_node(f"mempool:{url}", policy=HttpPolicy(timeout=0.3, attempts=2, backoff=0)).tip_height()
        assert time.monotonic() - start < 1.5


def test_bitcoind_without_txindex_reads_confirmations_from_the_utxo_set() -> None:
    chain = FakeChain(txindex=False)
    raw = make_tx(8)
    txid = parse_tx(raw).txid
    with fake_node(chain) as url:
        node = open_node(f"bitcoind:{url}", policy=FAST, environ={})
        node.send_tx(raw)
        assert node.tx_status(txid) == TxStatus(0)  # mempool: getrawtransaction finds it
        block = chain.mine()
        chain.mine()
        assert node.tx_status(txid) == TxStatus(2, 1, block)  # via gettxout
        assert "gettxout" in chain.calls
        # Output 0 spent: without -txindex nothing can tell; unknown, never a guess.
        spender_of_output_0 = make_tx(9)[:7] + bytes.fromhex(txid)[::-1] + make_tx(9)[39:]
        node.send_tx(spender_of_output_0)
        assert node.tx_status(txid) is None


def test_unknown_transaction_is_tx_not_found(node_chain: tuple[Node, FakeChain]) -> None:
    node, _chain = node_chain
    with pytest.raises(TxNotFoundError) as caught:
        node.raw_tx("ab" * 32)
    assert caught.value.exit_code == 69 and "does not find" in caught.value.message
