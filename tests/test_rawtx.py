"""Strict transaction parser: agrees with embit, rejects malformed bytes."""

from __future__ import annotations

import hashlib

import pytest

from inscriptions.transactions.network import parse_address
from inscriptions.transactions.rawtx import compact_size, parse_compact_size, parse_tx
from inscriptions.transactions.taproot import commit, tapleaf_hash, xonly_public_key
from inscriptions.transactions.txbuild import Funding, sign_reveal
from tests import independent
from tests.batchkit import SIGNET_P2WPKH
from toolkit.core.errors import MalformedInputError


def reveal_raw() -> bytes:
    secret = hashlib.sha256(b"rawtx").digest()
    key = xonly_public_key(secret)
    script = b"\x20" + key + b"\xac" + b"\x00\x63\x03ord\x00\x02hi\x68"
    dest = parse_address(SIGNET_P2WPKH, "signet").script_pubkey
    return sign_reveal(secret, commit(key, tapleaf_hash(script)), script, Funding("cd" * 32, 3, 50_000), [(dest, 40_000)]).raw


RAW = reveal_raw()
# A legacy (non-witness) transaction: version 1, one input, one output.
LEGACY = bytes.fromhex(
    "01000000" "01" + "11" * 32 + "00000000" "00" "ffffffff" "01" "e803000000000000" "01" "51" "00000000"
)


def test_matches_embit() -> None:
    tx = parse_tx(RAW)
    other = independent.parse(RAW)
    assert tx.txid == other.txid().hex()
    assert tx.inputs[0].txid == "cd" * 32 and tx.inputs[0].vout == 3 and tx.inputs[0].sequence == 0xFFFFFFFD
    assert tx.outputs[0][0] == 40_000
    assert list(tx.witnesses[0]) == other.vin[0].witness.items
    # BIP 141 weight from embit's own serializations (with and without witness).
    from embit.transaction import Transaction, TransactionInput

    bare = Transaction(version=other.version, vin=[TransactionInput(i.txid, i.vout, i.script_sig, i.sequence) for i in other.vin],
                       vout=other.vout, locktime=other.locktime)  # fmt: skip
    assert tx.weight == 3 * len(bare.serialize()) + len(RAW)
    assert parse_tx(LEGACY).weight == 4 * len(LEGACY)


def test_legacy_transaction() -> None:
    tx = parse_tx(LEGACY)
    assert tx.witnesses == ((),) and tx.txid == hashlib.sha256(hashlib.sha256(LEGACY).digest()).digest()[::-1].hex()


@pytest.mark.parametrize("cut", range(1, 40))
def test_every_truncation_rejected(cut: int) -> None:
    with pytest.raises(MalformedInputError):
        parse_tx(RAW[: len(RAW) - cut] if cut < 20 else RAW[: cut * 3])


def test_trailing_bytes_rejected() -> None:
    with pytest.raises(MalformedInputError, match="trailing"):
        parse_tx(RAW + b"\x00")


def test_non_canonical_compact_size_rejected() -> None:
    bad = LEGACY[:4] + b"\xfd\x01\x00" + LEGACY[5:]
    with pytest.raises(MalformedInputError, match="non-canonical"):
        parse_tx(bad)


@pytest.mark.parametrize(
    ("n", "size"),
    [(0, 1), (0xFC, 1), (0xFD, 3), (0xFFFF, 3), (0x10000, 5), (0xFFFFFFFF, 5), (0x100000000, 9), (2**64 - 1, 9)],
)
def test_compact_size_round_trip(n: int, size: int) -> None:
    encoded = compact_size(n)
    assert len(encoded) == size and parse_compact_size(encoded) == n
    with pytest.raises(MalformedInputError, match="trailing"):
        parse_compact_size(encoded + b"\x00")
    with pytest.raises(MalformedInputError, match="truncated"):
        parse_compact_size(encoded[:-1])


@pytest.mark.parametrize("bad", ["fdfc00", "feffff0000", "ffffffffff00000000"])
def test_compact_size_non_canonical_rejected(bad: str) -> None:
    with pytest.raises(MalformedInputError, match="non-canonical"):
        parse_compact_size(bytes.fromhex(bad))


def test_compact_size_out_of_range() -> None:
    for n in (-1, 2**64):
        with pytest.raises(ValueError):
            compact_size(n)


def test_unknown_flag_and_superfluous_witness_rejected() -> None:
    with pytest.raises(MalformedInputError, match="flag"):
        parse_tx(RAW[:5] + b"\x02" + RAW[6:])
    empty_witness = LEGACY[:4] + b"\x00\x01" + LEGACY[4:-4] + b"\x00" + LEGACY[-4:]
    with pytest.raises(MalformedInputError, match="superfluous"):
        parse_tx(empty_witness)


def test_huge_counts_rejected_without_allocation() -> None:
    with pytest.raises(MalformedInputError):
        parse_tx(LEGACY[:4] + b"\xff" + (2**60).to_bytes(8, "little") + LEGACY[5:])
