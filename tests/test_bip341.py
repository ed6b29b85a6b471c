"""BIP 341 wallet test vectors: leaf hashes, output keys, scriptPubKeys,
addresses, control-block parity and key-path signatures (fixed zero aux)."""

from __future__ import annotations

from typing import Any

import pytest

from inscriptions.transactions.network import address_from_script
from inscriptions.transactions.taproot import commit, derive_group_secret, sign_key_path, tapleaf_hash, xonly_public_key
from tests.fixtures import load_json, params

VECTORS = load_json("bip341", "wallet-test-vectors.json")
SPK = VECTORS["scriptPubKey"]
KEYPATH = VECTORS["keyPathSpending"][0]["inputSpending"]


def _leaves(tree: Any) -> list[dict[str, Any]]:
    if tree is None:
        return []
    if isinstance(tree, dict):
        return [tree]
    return [leaf for branch in tree for leaf in _leaves(branch)]


@pytest.mark.parametrize("vector", params(SPK, lambda v: v["given"]["internalPubkey"][:8]))
def test_leaf_hashes(vector: dict[str, Any]) -> None:
    leaves = sorted(_leaves(vector["given"]["scriptTree"]), key=lambda leaf: leaf["id"])
    got = [tapleaf_hash(bytes.fromhex(leaf["script"]), leaf["leafVersion"]).hex() for leaf in leaves]
    assert got == vector["intermediary"].get("leafHashes", [])


@pytest.mark.parametrize("vector", params(SPK, lambda v: v["given"]["internalPubkey"][:8]))
def test_output_key_script_pubkey_address(vector: dict[str, Any]) -> None:
    internal = bytes.fromhex(vector["given"]["internalPubkey"])
    root = vector["intermediary"]["merkleRoot"]
    c = commit(internal, bytes.fromhex(root) if root else b"")
    assert c.output_key.hex() == vector["intermediary"]["tweakedPubkey"]
    assert c.script_pubkey.hex() == vector["expected"]["scriptPubKey"]
    assert address_from_script(c.script_pubkey, "mainnet") == vector["expected"]["bip350Address"]
    for block in vector["expected"].get("scriptPathControlBlocks", []):
        # Parity bit and internal key of every control block match ours.
        assert bytes.fromhex(block)[0] & 1 == c.parity
        assert bytes.fromhex(block)[1:33] == internal


@pytest.mark.parametrize("vector", params([v for v in SPK if isinstance(v["given"]["scriptTree"], dict)], lambda v: v["given"]["internalPubkey"][:8]))
def test_single_leaf_control_block(vector: dict[str, Any]) -> None:
    leaf = vector["given"]["scriptTree"]
    c = commit(bytes.fromhex(vector["given"]["internalPubkey"]), tapleaf_hash(bytes.fromhex(leaf["script"])))
    assert [c.control_block.hex()] == vector["expected"]["scriptPathControlBlocks"]


def test_wrong_merkle_root_changes_output_key() -> None:
    vector = SPK[1]
    internal = bytes.fromhex(vector["given"]["internalPubkey"])
    tampered = bytearray.fromhex(vector["intermediary"]["merkleRoot"])
    tampered[0] ^= 1
    assert commit(internal, bytes(tampered)).output_key.hex() != vector["intermediary"]["tweakedPubkey"]


@pytest.mark.parametrize("vector", params(KEYPATH, lambda v: f"input{v['given']['txinIndex']}"))
def test_key_path_signature(vector: dict[str, Any]) -> None:
    secret = bytes.fromhex(vector["given"]["internalPrivkey"])
    assert xonly_public_key(secret).hex() == vector["intermediary"]["internalPubkey"]
    root = vector["given"]["merkleRoot"]
    sig = sign_key_path(secret, bytes.fromhex(root) if root else b"", bytes.fromhex(vector["intermediary"]["sigHash"]))
    assert sig.hex() == vector["expected"]["witness"][0][:128]


def test_group_key_derivation_golden() -> None:
    # Golden values of the documented derivation (docs/inscribe.md).
    secret = bytes(range(32))
    k0 = derive_group_secret(secret, 0)
    k1 = derive_group_secret(secret, 1)
    assert k0 != k1
    assert derive_group_secret(secret, 0) == k0
    assert (k0.hex(), k1.hex()) == GOLDEN_KEYS


GOLDEN_KEYS = (
    "930df2a555b859d07f185b18c9ffd873fa0e1f20d8b1d3079bdef96f4baebdfa",
    "9744f25cf012b055ecb03cefa2f6ec33334e3af23b90eac29c5aefc82581f53f",
)
