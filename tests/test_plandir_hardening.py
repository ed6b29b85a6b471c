"""Issue 12, defects 3, 7 and 9: an edited plan.json is exit 65 naming the
field (never 70), a FIFO in a plan directory never hangs a command, and
concurrent runs on one plan directory wait for each other instead of giving
wrong advice ("pass --overwrite").  CLI-level, so they also run against
earlier versions."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inscriptions.plans.planfile import load_plan
from tests.batchkit import SIGNET_P2WPKH, small_batch
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import EnochError

ROOT = Path(__file__).resolve().parent.parent
TXID = "ab" * 32


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})  # fmt: skip


@pytest.fixture
def plan_dir(enoch: Any, tmp_path: Path) -> Path:
    batch = small_batch(tmp_path)
    r = enoch("inscribe", "plan", str(batch.path), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2WPKH,
              "--network", "signet", "--fee-rate", "2")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    return tmp_path / "plan"


def _fund(plan: Path) -> str:
    return f"0={TXID}:0:{json.loads((plan / 'plan.json').read_text())['groups'][0]['fund_sats']}"


def _edit(plan: Path, path: list[Any], value: Any) -> None:
    doc = json.loads((plan / "plan.json").read_text())
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    (plan / "plan.json").write_bytes(canonical_dumps(doc) + b"\n")


@pytest.mark.parametrize(
    "path,value,field",
    [
        (["fee_rate"], "1E+999999999", "fee_rate"),
        (["ceiling"], "1E+999999999", "ceiling"),
        (["fee_rate"], "1e2", "fee_rate"),
        (["groups", 0, "commit_script_pubkey"], "00" * 34, "commit_script_pubkey"),
        (["network"], "moon", "network"),
        (["batch", "path"], "a\x00b", "batch.path"),
        (["groups", 0, "inscriptions", 1, "shard"], 10**15, "shard"),
        (["groups", 0, "inscriptions", 0, "content_type"], "x" * 600, "content_type"),
    ],
)
def test_edited_plan_field_is_65_naming_it(enoch: Any, plan_dir: Path, path: list[Any], value: Any, field: str) -> None:
    _edit(plan_dir, path, value)
    for args in (["reveal", str(plan_dir), "--funding", _fund(plan_dir)],
                 ["recover", str(plan_dir), "--funding", _fund(plan_dir), "--to", SIGNET_P2WPKH, "--fee-rate", "1"]):  # fmt: skip
        r = enoch("inscribe", *args, "--json")
        assert r.exit_code == 65, r.stderr
        assert field in r.stderr and "Traceback" not in r.stderr


HOSTILE = [None, True, -1, 0, 2**53 - 1, "", "x", "1E+999999999", "NaN", [], {}, "00" * 34, "ff" * 32, "\u202e"]


def _leaves(value: Any, path: list[Any]) -> Iterator[list[Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, [*path, k])
    elif isinstance(value, list):
        for i, v in enumerate(value[:2]):
            yield from _leaves(v, [*path, i])
    else:
        yield path


def test_every_plan_field_hostile_values_never_crash(plan_dir: Path) -> None:
    """The class of defect 3: any value in any field is a clean enoch error
    (or a plan that still checks out), never an unexpected exception."""
    original = (plan_dir / "plan.json").read_bytes()
    paths = list(_leaves(json.loads(original), []))
    assert len(paths) > 25
    outcomes: dict[str, int] = {}
    for path in paths:
        for value in HOSTILE:
            (plan_dir / "plan.json").write_bytes(original)
            _edit(plan_dir, path, value)
            try:
                load_plan(plan_dir)
                outcomes["loaded"] = outcomes.get("loaded", 0) + 1
            except EnochError as exc:
                assert exc.exit_code in (1, 65), (path, value, exc.message)
                outcomes[str(exc.exit_code)] = outcomes.get(str(exc.exit_code), 0) + 1
    assert outcomes["65"] > 300


@pytest.mark.parametrize("name", ["plan.json", "batch-secret.json", "reveal", "funding", "index.json", ".lock"])
def test_fifo_in_plan_directory_never_hangs(enoch: Any, plan_dir: Path, name: str) -> None:
    group, sats = _fund(plan_dir).rsplit(":", 1)
    fund = f"{group}:{int(sats) + 50_000}"  # room for the bump to reach index.json
    assert enoch("inscribe", "reveal", str(plan_dir), "--funding", fund).exit_code == 0
    sub = {"reveal": "reveals", "funding": "fundings"}.get(name)
    target = next((plan_dir / sub).iterdir()) if sub else plan_dir / name
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    target.unlink(missing_ok=True)
    os.mkfifo(target, mode)
    for args in (["reveal", str(plan_dir), "--funding", fund],
                 ["recover", str(plan_dir), "--funding", fund, "--to", SIGNET_P2WPKH, "--fee-rate", "1"],
                 ["bump", str(plan_dir), "--group", "0", "--fee-rate", "3"]):  # fmt: skip
        if name in ("reveal", "funding", "index.json") and args[0] == "recover":
            continue  # recover reads neither
        r = cli("inscribe", *args, timeout=20)  # the old code blocked here forever
        assert r.returncode == 65, (args[0], r.stderr)
        assert "not a regular file" in r.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["reveal", "--funding", "{fund}"],
        ["recover", "--funding", "{fund}", "--to", SIGNET_P2WPKH, "--fee-rate", "1"],
        ["bump", "--group", "0", "--fee-rate", "3"],
        ["fund"],
        ["status"],
        ["broadcast", "--node", "mempool:http://127.0.0.1:9"],
    ],
)
def test_busy_plan_directory_is_75_and_never_advises_overwrite(plan_dir: Path, command: list[str]) -> None:
    args = [a.replace("{fund}", _fund(plan_dir)) for a in command[1:]]
    fd = os.open(plan_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = cli("inscribe", command[0], str(plan_dir), *args, "--json", env={"ENOCH_LOCK_WAIT": "0.3"})
    finally:
        os.close(fd)
    assert r.returncode == 75 and json.loads(r.stdout)["error"]["code"] == "busy", r.stderr
    assert "busy" in r.stderr and "--overwrite" not in r.stderr
    assert not (plan_dir / "reveals").exists() and not (plan_dir / "recovers").exists()


def test_waiting_reveal_succeeds_on_identical_content(plan_dir: Path) -> None:
    """The loser waits for the lock, then finds the same transaction already
    written: success, same output."""
    fund = _fund(plan_dir)
    fd = os.open(plan_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        waiting = subprocess.Popen([sys.executable, "-m", "toolkit", "inscribe", "reveal", str(plan_dir), "--funding", fund],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        first = cli("inscribe", "reveal", str(plan_dir), "--funding", fund, env={"ENOCH_LOCK_WAIT": "0"})
        assert first.returncode == 75  # the lock is really held
        time.sleep(0.3)
        assert waiting.poll() is None  # still waiting
    finally:
        os.close(fd)  # releases the lock
    out, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 0, err
    again = cli("inscribe", "reveal", str(plan_dir), "--funding", fund)
    assert again.returncode == 0 and again.stdout == out


def test_concurrent_reveals_agree(plan_dir: Path) -> None:
    fund = _fund(plan_dir)
    procs = [
        subprocess.Popen([sys.executable, "-m", "toolkit", "inscribe", "reveal", str(plan_dir), "--funding", fund],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        for _ in range(4)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [e for _, e in results]
    assert len({out for out, _ in results}) == 1


def test_concurrent_plans_loser_is_told_it_exists(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    args = ["inscribe", "plan", str(batch.path), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2WPKH,
            "--network", "signet", "--fee-rate", "2"]  # fmt: skip
    procs = [subprocess.Popen([sys.executable, "-m", "toolkit", *args], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]  # fmt: skip
    results = [p.communicate(timeout=60) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2, 2, 2], [e for _, e in results]
    for (_, err), p in zip(results, procs, strict=True):
        if p.returncode:
            assert "never overwritten" in err and "--overwrite" not in err
    load_plan(tmp_path / "plan")


@pytest.mark.parametrize("lock_exists", [False, True])
def test_read_only_plan_directory_still_locks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lock_exists: bool) -> None:
    """A plan directory on a read-only mount (EROFS for any write) can still be
    read under the lock: the existing lock file opened read-only, or the
    directory itself locked when there is none."""
    import errno

    import inscriptions.plans.plandir as plandir

    (tmp_path / "plan").mkdir()
    if lock_exists:
        (tmp_path / "plan" / ".lock").write_bytes(b"")
    real_open = os.open

    def read_only_open(path: Any, flags: int, *args: Any) -> int:
        if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(plandir.os, "open", read_only_open)
    with plandir.plan_lock(tmp_path / "plan", wait=0):
        with pytest.raises(EnochError) as info:  # a second holder is refused: the lock is real
            with plandir.plan_lock(tmp_path / "plan", wait=0):
                pass
        assert info.value.exit_code == 75
    assert (tmp_path / "plan" / ".lock").exists() is lock_exists
