"""`enoch fees` and `enoch inscribe ...` through the CLI: gate, JSON shapes,
exit codes, and no traceback for any bad input."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import independent
from tests.batchkit import MAINNET_P2TR, SIGNET_P2WPKH, make_batch, noise, small_batch
from tests.httpfake import Reply, serve

TXID = "ab" * 32
Enoch = Callable[..., Any]


def plan_args(batch: Path, out: Path, *extra: str) -> list[str]:
    return ["inscribe", "plan", str(batch), "-o", str(out), "--destination", SIGNET_P2WPKH, "--network", "signet", *extra]


@pytest.mark.parametrize("rate,code", [("5.00", 0), ("5", 0), ("4.99", 0), ("5.01", 75)])
def test_fees_gate_at_5(enoch: Enoch, rate: str, code: int) -> None:
    r = enoch("fees", "--fee-rate", rate, "--json")
    assert r.exit_code == code
    if code:
        assert r.json()["error"]["code"] == "fee_above_ceiling"
        assert "5.01 sat/vB" in r.stderr and "ceiling 5 sat/vB" in r.stderr
    else:
        assert r.json()["below_ceiling"] is True


def test_fees_from_mempool_and_custom_ceiling(enoch: Enoch) -> None:
    body = json.dumps({"fastestFee": 9, "halfHourFee": 5.01, "hourFee": 5, "economyFee": 2, "minimumFee": 1}).encode()
    with serve(Reply(body=body)) as (url, _):
        assert enoch("fees", "--fee-source", f"mempool:{url}", "--priority", "hour").exit_code == 0
        assert enoch("fees", "--fee-source", f"mempool:{url}").exit_code == 75
        assert enoch("fees", "--fee-source", f"mempool:{url}", "--priority", "fastest", "--ceiling", "9").exit_code == 0


def test_fees_source_down_is_69(enoch: Enoch) -> None:
    with serve(Reply(503)) as (url, _):
        r = enoch("fees", "--fee-source", f"mempool:{url}", "--json")
    assert r.exit_code == 69 and r.json()["error"]["code"] == "source_unavailable"


def test_fees_wait_with_short_timeout(enoch: Enoch) -> None:
    body = json.dumps({"hourFee": 8}).encode()
    with serve(Reply(body=body)) as (url, script):
        r = enoch("fees", "--fee-source", f"mempool:{url}", "--priority", "hour", "--wait", "--poll-interval", "0.1", "--timeout", "0.35")
    assert r.exit_code == 75 and "after waiting" in r.stderr and "checking again" in r.stderr
    assert len(script.requests) >= 3


def test_plan_above_ceiling_writes_nothing(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    r = enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-rate", "5.01"))
    assert r.exit_code == 75 and not (tmp_path / "plan").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".plan")]
    assert enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-rate", "5.00")).exit_code == 0


def test_plan_json_shape_and_full_flow(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    r = enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-rate", "3.5", "--json"))
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["fee_rate"] == "3.5" and data["ceiling"] == "5"
    [group] = data["groups"]
    assert set(group) >= {"group", "commit_address", "fund_sats", "reveal_vsize", "reveal_weight", "fee_sats", "standard", "inscriptions"}
    assert group["fee_sats"] == -(-group["reveal_vsize"] * 35 // 10)
    funding = f"0={TXID}:0:{group['fund_sats']}"
    rev = enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", funding, "--json")
    assert rev.exit_code == 0, rev.stderr
    [tx] = rev.json()["transactions"]
    assert set(tx) >= {"group", "txid", "hex"}
    spk = bytes.fromhex(json.loads((tmp_path / "plan" / "plan.json").read_text())["groups"][0]["commit_script_pubkey"])
    independent.check_script_path_spend(bytes.fromhex(tx["hex"]), 0, [(spk, group["fund_sats"])])
    again = enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", funding)
    assert again.stdout.strip() == tx["hex"]  # same transaction every time
    dec = enoch("inscribe", "decode", tx["hex"], "--manifest", str(batch.path / "manifest.json"), "--json")
    assert dec.exit_code == 0, dec.stderr
    roles = dec.json()["batch"]["roles"]
    assert roles == ["manifest"] + [f"shard {i}" for i in range(batch.manifest.tree_size)]
    assert dec.json()["inscriptions"][1]["content_encoding"] == "gzip"


def test_decode_against_other_batch_fails_naming_inscription(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = small_batch(tmp_path)
    other = make_batch(tmp_path, {"x.bin": noise(3000, 9)}, name="other")
    assert enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-rate", "1")).exit_code == 0
    fund = json.loads((tmp_path / "plan" / "plan.json").read_text())["groups"][0]["fund_sats"]
    hextx = enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", f"0={TXID}:0:{fund}").stdout.strip()
    r = enoch("inscribe", "decode", hextx, "--manifest", str(other / "manifest.json"))
    assert r.exit_code == 1 and "inscription 0:0" in r.stderr and "neither a shard" in r.stderr
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO((hextx + "\n").encode())))
    assert enoch("inscribe", "decode", "-").exit_code == 0


def test_decode_stdin_closed_or_not_ascii(enoch: Enoch, monkeypatch: pytest.MonkeyPatch) -> None:
    # started with `<&-`: sys.stdin is None (was an AttributeError, exit 70)
    monkeypatch.setattr(sys, "stdin", None)
    r = enoch("inscribe", "decode", "-", "--json")
    assert r.exit_code == 66 and r.json()["error"]["code"] == "input_missing" and "stdin is closed" in r.stderr
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"02\xff\xfe00")))
    r = enoch("inscribe", "decode", "-", "--json")
    assert r.exit_code == 65 and "transaction is not hex" in r.stderr


BAD: list[tuple[list[str], int]] = [
    (["fees"], 2),
    (["fees", "--fee-rate", "1", "--fee-source", "mempool:http://127.0.0.1:9"], 2),
    (["fees", "--fee-rate", "abc"], 2),
    (["fees", "--fee-rate", "-1"], 2),
    (["fees", "--fee-rate", "1", "--ceiling", "0"], 2),
    (["fees", "--fee-source", "nope:x"], 2),
    (["fees", "--fee-source", "bitcoind:http://u:p@127.0.0.1:1"], 2),
    (["inscribe", "decode", "zz"], 65),
    (["inscribe", "decode", "0200"], 65),
    (["inscribe", "decode", "02000000000100000000"], 65),
    (["inscribe", "reveal", "{missing}", "--funding", f"0={TXID}:0:1"], 66),
    (["inscribe", "recover", "{missing}", "--funding", f"0={TXID}:0:1", "--to", SIGNET_P2WPKH, "--fee-rate", "1"], 66),
]


@pytest.mark.parametrize("args,code", BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_no_traceback(enoch: Enoch, tmp_path: Path, args: list[str], code: int) -> None:
    r = enoch(*[a.replace("{missing}", str(tmp_path / "missing")) for a in args])
    assert r.exit_code == code, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.startswith(("enoch: error:", "Usage:", "Error:"))


@pytest.fixture
def planned(enoch: Enoch, tmp_path: Path) -> tuple[Path, Path, int]:
    batch = small_batch(tmp_path)
    assert enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-rate", "1")).exit_code == 0
    fund = json.loads((tmp_path / "plan" / "plan.json").read_text())["groups"][0]["fund_sats"]
    return batch.path, tmp_path / "plan", fund


PLAN_BAD: list[tuple[list[str], int]] = [
    (["inscribe", "plan", "{batch}", "-o", "{tmp}/p2", "--destination", MAINNET_P2TR, "--network", "signet", "--fee-rate", "1"], 65),
    (["inscribe", "plan", "{batch}", "-o", "{tmp}/p2", "--destination", "garbage", "--network", "signet", "--fee-rate", "1"], 65),
    (["inscribe", "plan", "{batch}", "-o", "{tmp}/p2", "--destination", SIGNET_P2WPKH, "--network", "moon", "--fee-rate", "1"], 2),
    (["inscribe", "plan", "{batch}", "-o", "{plan}", "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "1"], 2),
    (["inscribe", "plan", "{tmp}/nobatch", "-o", "{tmp}/p2", "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "1"], 66),
    (["inscribe", "plan", "{batch}", "-o", "{tmp}/p2", "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "1", "--postage", "100"], 2),
    (["inscribe", "reveal", "{plan}", "--funding", "0=xyz"], 2),
    (["inscribe", "reveal", "{plan}", "--funding", f"7={TXID}:0:1000"], 2),
    (["inscribe", "reveal", "{plan}", "--funding", f"0={TXID}:0:{{fund}}", "--funding", f"0={TXID}:0:{{fund}}"], 2),
    (["inscribe", "reveal", "{plan}", "--funding", f"0={TXID}:0:{{fund_minus}}"], 2),
    (["inscribe", "reveal", "{plan}", "--funding", f"0={TXID}:0:99999999999999999"], 2),
    (["inscribe", "recover", "{plan}", "--funding", f"0={TXID}:0:500", "--to", SIGNET_P2WPKH, "--fee-rate", "50"], 2),
    (["inscribe", "recover", "{plan}", "--funding", f"0={TXID}:0:50000", "--to", MAINNET_P2TR, "--fee-rate", "1"], 65),
    (["inscribe", "recover", "{plan}", "--funding", f"0={TXID}:0:2000000000000000", "--funding",
      f"0={TXID}:1:2000000000000000", "--to", SIGNET_P2WPKH, "--fee-rate", "1"], 2),
    (["inscribe", "plan", "{batch}", "-o", "{tmp}/p2", "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "1",
      "--postage", "2000000000000000"], 2),
    (["inscribe", "plan", "{batch}", "-o", "{tmp}/p2", "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "1",
      "--postage", "2100000000000001"], 2),
]


@pytest.mark.parametrize("args,code", PLAN_BAD, ids=[" ".join(a)[15:75] for a, _ in PLAN_BAD])
def test_bad_plan_reveal_recover_input(enoch: Enoch, planned: tuple[Path, Path, int], args: list[str], code: int) -> None:
    batch, plan, fund = planned
    subs = {"{batch}": str(batch), "{plan}": str(plan), "{tmp}": str(plan.parent), "{fund_minus}": str(fund - 1), "{fund}": str(fund)}
    final = []
    for a in args:
        for k, v in subs.items():
            a = a.replace(k, v)
        final.append(a)
    r = enoch(*final, "--json")
    assert r.exit_code == code, r.stderr
    assert "Traceback" not in r.stderr and r.json()["ok"] is False
    assert not (plan.parent / "p2").exists()


def test_tampered_plan_or_batch_refused(enoch: Enoch, planned: tuple[Path, Path, int]) -> None:
    batch, plan, fund = planned
    shard = batch / "shards" / "000001.gz"
    original = shard.read_bytes()
    shard.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}")
    assert r.exit_code == 1 and "shard 000001" in r.stderr
    shard.write_bytes(original)
    doc = json.loads((plan / "plan.json").read_text())
    doc["groups"][0]["fee_sats"] -= 1
    (plan / "plan.json").write_text(json.dumps(doc))
    r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}")
    assert r.exit_code == 65 and "Traceback" not in r.stderr
    (plan / "plan.json").write_text("{")
    assert enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}").exit_code == 65
    assert not (plan / "reveals").exists()


def test_moved_batch_needs_batch_option(enoch: Enoch, planned: tuple[Path, Path, int]) -> None:
    batch, plan, fund = planned
    moved = batch.parent / "moved"
    batch.rename(moved)
    r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}")
    assert r.exit_code == 66 and "--batch" in r.stderr
    r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}", "--batch", str(moved))
    assert r.exit_code == 0, r.stderr
    # recover needs no batch at all
    r = enoch("inscribe", "recover", str(plan), "--funding", f"0={TXID}:0:{fund}", "--to", SIGNET_P2WPKH, "--fee-rate", "2")
    assert r.exit_code == 0, r.stderr


def test_plan_refuses_corrupt_batch(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    (batch.path / "shards" / "000000.gz").write_bytes(b"\x1f\x8b")
    r = enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-rate", "1"))
    assert r.exit_code == 1 and not (tmp_path / "plan").exists()


def test_plan_waits_for_rate_to_drop(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    replies = [Reply(body=json.dumps({"hourFee": rate}).encode()) for rate in (8, 5.5, 4.5)]
    with serve(*replies) as (url, script):
        r = enoch(*plan_args(batch.path, tmp_path / "plan", "--fee-source", f"mempool:{url}", "--priority", "hour",
                             "--wait", "--poll-interval", "0.1", "--timeout", "30", "--json"))  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert r.json()["fee_rate"] == "4.5" and len(script.requests) == 3
    assert r.stderr.count("checking again") == 2
    assert json.loads((tmp_path / "plan" / "plan.json").read_text())["fee_rate"] == "4.5"


def test_plan_unwritable_output_is_66_and_leaves_nothing(
    enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import toolkit.core.fsio

    batch = small_batch(tmp_path)
    real_write = toolkit.core.fsio.atomic_write

    def full_disk(path: Any, data: bytes, **kw: Any) -> None:
        if str(path).endswith("plan.json"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data, **kw)

    monkeypatch.setattr("inscriptions.plans.plan.atomic_write", full_disk)
    out = tmp_path / "plan"
    r = enoch(*plan_args(batch.path, out, "--fee-rate", "2", "--json"))
    assert r.exit_code == 66, r.stderr
    assert "No space left on device" in r.json()["error"]["message"]
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".plan")]
