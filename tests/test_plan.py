"""Planning: group packing within relay budgets, the plan directory, crash safety."""

from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inscriptions.plans.plan as plan_module
from inscriptions.batch.verify import verify_batch
from inscriptions.transactions.decode import check_against_manifest, decode_tx
from inscriptions.transactions.envelope import decode_pointer
from inscriptions.transactions.groups import DIRECT_WEIGHT, STANDARD_WEIGHT
from inscriptions.transactions.network import parse_address
from inscriptions.plans.plan import make_plan
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.reveal import open_batch, parse_fundings, reveal_all
from tests import independent
from tests.batchkit import SIGNET_P2WPKH, make_batch, noise, small_batch
from toolkit.core.errors import MalformedInputError, OutputExistsError, UsageError, VerificationError

DEST = parse_address(SIGNET_P2WPKH, "signet")


def plan_for(batch: Any, out: Path, relay: str = "direct", postage: int = 10_000) -> Any:
    return make_plan(batch, out, destination=DEST, postage=postage, relay=relay, fee_rate=Decimal("1.5"), ceiling=Decimal(5))


def test_plan_directory(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    plan = plan_for(batch, tmp_path / "plan")
    secret_file = tmp_path / "plan" / "batch-secret.json"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "plan")) == ["batch-secret.json", "plan.json"]
    loaded, secret = load_plan(tmp_path / "plan")
    assert loaded.to_json() == plan.to_json()
    assert plan.to_json()["format"] == "enoch-plan/1"
    assert len(secret) == 32
    [group] = plan.groups
    assert [i.shard for i in group.items] == [None, *range(batch.manifest.tree_size)]
    assert group.fund_sats == 10_000 * len(group.items) + group.fee_sats


def test_plan_never_overwritten(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    plan_for(batch, tmp_path / "plan")
    before = (tmp_path / "plan" / "batch-secret.json").read_bytes()
    with pytest.raises(OutputExistsError):
        plan_for(batch, tmp_path / "plan")
    assert (tmp_path / "plan" / "batch-secret.json").read_bytes() == before


def test_two_plans_have_different_secrets_and_addresses(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    a, b = plan_for(batch, tmp_path / "a"), plan_for(batch, tmp_path / "b")
    assert a.groups[0].commit_address != b.groups[0].commit_address


def test_postage_below_dust_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="dust limit"):
        plan_for(small_batch(tmp_path), tmp_path / "plan", postage=293)
    assert not (tmp_path / "plan").exists()


@pytest.fixture(scope="module")
def big_shard_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_batch(tmp_path_factory.mktemp("big"), {"big.bin": noise(450_000, 7)}, shard_size=1_000_000)


def test_standard_refuses_shard_too_big_and_names_the_fix(tmp_path: Path, big_shard_batch: Path) -> None:
    with pytest.raises(UsageError) as info:
        plan_for(verify_batch(big_shard_batch), tmp_path / "plan", relay="standard")
    message = info.value.message
    assert "shard 000000" in message and "400000 WU standard budget" in message and "--relay direct" in message
    size = verify_batch(big_shard_batch).manifest.shards[0].gz_size
    assert f"({size} bytes)" in message and "`enoch pack --shard-size 390000`" in message
    largest = int(message.split("at most ")[1].split()[0])
    assert 390_000 < largest < 400_000
    assert not (tmp_path / "plan").exists()
    # Both the advertised size and the largest one really fit: re-pack and plan again.
    for n, size in enumerate((390_000, largest)):
        repacked = make_batch(tmp_path, {"big.bin": noise(450_000, 7)}, shard_size=size, name=f"repacked{n}")
        plan = plan_for(verify_batch(repacked), tmp_path / f"plan{n}", relay="standard")
        assert all(g.reveal_weight <= STANDARD_WEIGHT and g.is_standard() for g in plan.groups)


def test_relay_defaults_to_standard(enoch: Any, tmp_path: Path, big_shard_batch: Path) -> None:
    """SPEC I (v0.2): without --relay, a shard too big for a standard reveal is
    exit 2 naming the shard, its size and both ways out; nothing is written."""
    args = ["inscribe", "plan", str(big_shard_batch), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2WPKH,
            "--network", "signet", "--fee-rate", "1"]  # fmt: skip
    r = enoch(*args, "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "usage_error"
    size = verify_batch(big_shard_batch).manifest.shards[0].gz_size
    for part in ("shard 000000", f"({size} bytes)", "--relay direct", "enoch pack --shard-size 390000"):
        assert part in r.stderr
    assert not (tmp_path / "plan").exists()
    assert enoch(*args, "--relay", "direct").exit_code == 0


def test_direct_allows_and_marks_non_standard(tmp_path: Path, big_shard_batch: Path) -> None:
    plan = plan_for(verify_batch(big_shard_batch), tmp_path / "plan", relay="direct")
    [group] = plan.groups
    assert STANDARD_WEIGHT < group.reveal_weight <= DIRECT_WEIGHT
    assert group.to_json()["standard"] is False


def test_standard_packs_several_groups_with_pointers(tmp_path: Path) -> None:
    path = make_batch(tmp_path, {"a.bin": noise(450_000, 3), "b.txt": b"x" * 50}, shard_size=120_000)
    batch = verify_batch(path)
    plan = plan_for(batch, tmp_path / "plan", relay="standard")
    assert len(plan.groups) >= 2
    assert sum(len(g.items) for g in plan.groups) == batch.manifest.tree_size + 1
    for g in plan.groups:
        assert g.reveal_weight <= STANDARD_WEIGHT
    # Pointers: position p in a group points at sat p * postage.
    from inscriptions.transactions.groups import inscription_for

    item = plan.groups[0].items[1]
    ins = inscription_for(item, b"", 1, 10_000, batch.manifest)
    assert ins.pointer is not None and decode_pointer(ins.pointer) == 10_000
    assert inscription_for(item, b"", 0, 10_000, batch.manifest).pointer is None
    # Reveal every group: valid for embit, and together they carry the whole batch once.
    loaded, secret = load_plan(tmp_path / "plan")
    fundings = parse_fundings([f"{g.group}={'ef' * 32}:{g.group}:{g.fund_sats}" for g in loaded.groups], loaded)
    roles: list[str] = []
    for r, g in zip(reveal_all(tmp_path / "plan", loaded, secret, fundings, open_batch(loaded, None)), loaded.groups, strict=True):
        assert r.tx.weight <= STANDARD_WEIGHT
        independent.check_script_path_spend(r.tx.raw, 0, [(g.script_pubkey, g.fund_sats)])
        decoded = decode_tx(r.tx.raw)
        assert [e.inscription.pointer and decode_pointer(e.inscription.pointer) for e in decoded.envelopes][1:] == [
            p * 10_000 for p in range(1, len(g.items))
        ]
        roles += check_against_manifest(decoded, batch.manifest, batch.manifest_bytes)
    assert roles == ["manifest"] + [f"shard {i}" for i in range(batch.manifest.tree_size)]


def test_load_plan_refuses_foreign_secret_and_wide_permissions(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    plan_for(batch, tmp_path / "a")
    plan_for(batch, tmp_path / "b")
    secret_b = (tmp_path / "b" / "batch-secret.json").read_bytes()
    os.replace(tmp_path / "b" / "batch-secret.json", tmp_path / "a" / "batch-secret.json")
    with pytest.raises(VerificationError, match="does not belong"):
        load_plan(tmp_path / "a")
    (tmp_path / "a" / "batch-secret.json").chmod(0o644)
    with pytest.raises(VerificationError, match="readable by other users"):
        load_plan(tmp_path / "a")
    assert secret_b


@pytest.mark.parametrize("name", ["plan.json", "batch-secret.json"])
def test_load_plan_refuses_other_format_versions(tmp_path: Path, name: str) -> None:
    plan_for(small_batch(tmp_path), tmp_path / "plan")
    path = tmp_path / "plan" / name
    text = path.read_text()
    for old in ('"format":"enoch-plan/1"', '"format":"enoch-batch-secret/1"'):
        text = text.replace(old, old.replace("/1", "/2"))
    path.write_text(text)
    with pytest.raises(MalformedInputError, match="format is '.*/2', expected"):
        load_plan(tmp_path / "plan")


class Crash(Exception):
    pass


@pytest.mark.parametrize("step", ["secret", "plan.json", "fsync_tree", "rename"])
def test_crash_at_each_write_step_leaves_no_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    batch = small_batch(tmp_path)
    import toolkit.core.fsio as fsio

    real_write, real_fsync_tree, real_rename = fsio.atomic_write, fsio.fsync_tree, os.rename

    def write(path: Path, data: bytes, **kw: Any) -> None:
        real_write(path, data, **kw)
        if (step == "secret" and path.name == "batch-secret.json") or (step == "plan.json" and path.name == "plan.json"):
            raise Crash(step)

    def tree(root: Path) -> None:
        real_fsync_tree(root)
        if step == "fsync_tree":
            raise Crash(step)

    def rename(src: Any, dst: Any) -> None:
        if step == "rename" and Path(dst).name == "plan":
            raise Crash(step)
        real_rename(src, dst)

    import toolkit.core.outdir as outdir

    real_renameat2 = outdir.renameat2

    def renameat2(src: Path, dst: Path, flags: int) -> bool:  # the placement's rename, where available
        if step == "rename" and Path(dst).name == "plan":
            raise Crash(step)
        return real_renameat2(src, dst, flags)

    monkeypatch.setattr(plan_module, "atomic_write", write)
    monkeypatch.setattr(fsio, "fsync_tree", tree)
    monkeypatch.setattr(fsio.os, "rename", rename)
    monkeypatch.setattr(outdir, "renameat2", renameat2)
    with pytest.raises(Crash):
        plan_for(batch, tmp_path / "plan")
    assert not (tmp_path / "plan").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".plan")]


@pytest.fixture(scope="module")
def many_shards(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("many")
    return verify_batch(make_batch(tmp, {"n.bin": noise(30_000, 5), "t.txt": b"abc" * 2000}, shard_size=1100))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.integers(3_000, 60_000), postage=st.integers(330, 2**40))
def test_packing_property(many_shards: Any, tmp_path_factory: pytest.TempPathFactory, budget: int, postage: int) -> None:
    """For any budget and postage, every group fits, groups keep item order, and
    (checked inside make_plan) each predicted weight equals a real serialization."""
    import inscriptions.transactions.groups as groups

    out = tmp_path_factory.mktemp("prop") / "plan"
    original = dict(groups.RELAY_BUDGETS)
    groups.RELAY_BUDGETS["standard"] = budget
    try:
        try:
            plan = plan_for(many_shards, out, relay="standard", postage=postage)
        except UsageError as exc:
            assert "budget" in exc.message and not out.exists()
            return
    finally:
        groups.RELAY_BUDGETS.update(original)
    assert all(g.reveal_weight <= budget for g in plan.groups)
    order = [i.shard for g in plan.groups for i in g.items]
    assert order == [None, *range(many_shards.manifest.tree_size)]
    assert all(g.fund_sats == postage * len(g.items) + g.fee_sats for g in plan.groups)


def test_secret_is_durable_before_any_key_is_derived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Order of events in make_plan: the secret's bytes are fsynced, then its
    directory, and only then is any key (hence address) derived from it."""
    batch = small_batch(tmp_path)
    events: list[str] = []
    real_fsync, real_xonly = os.fsync, plan_module.xonly_public_key

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        events.append(("fsync-dir " if os.path.isdir(target) else "fsync-file ") + os.path.basename(target))
        real_fsync(fd)

    def xonly(secret: bytes) -> bytes:
        events.append("derive")
        return real_xonly(secret)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(plan_module, "xonly_public_key", xonly)
    plan_for(batch, tmp_path / "plan")
    secret_synced = next(i for i, e in enumerate(events) if e.startswith("fsync-file .batch-secret.json."))
    dir_synced = next(i for i, e in enumerate(events) if e.startswith("fsync-dir .plan.") and i > secret_synced)
    assert secret_synced < dir_synced < events.index("derive")
    assert stat.S_IMODE((tmp_path / "plan" / "batch-secret.json").stat().st_mode) == 0o600


def test_postage_times_inscriptions_above_21m_btc_refused_before_packing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Packing computes pointers p x postage; past 2**64 encode_pointer raised ValueError (exit 70).
    batch = small_batch(tmp_path)
    monkeypatch.setattr(plan_module, "pack_groups", lambda *a, **k: pytest.fail("packed"))
    n = batch.manifest.tree_size + 1
    with pytest.raises(UsageError, match="21 million BTC"):
        plan_for(batch, tmp_path / "plan", postage=21_000_000 * 100_000_000 // n + 1)
    assert not (tmp_path / "plan").exists()
