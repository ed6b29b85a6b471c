"""Issue 12, defect 8: an ``--overwrite`` replacement killed (SIGKILL) at any
step leaves the output complete, old or new -- or, on the fallback path
without ``renameat2``, restorable by the next run, which does restore it --
and the next run sweeps what killed runs left, except a temporary holding a
batch secret, which it keeps and names in a warning."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inscriptions.plans.plan import SECRET_NAME
from tests.batchutil import write_files
from toolkit.core import outdir
from toolkit.core.fsio import atomic_directory

ROOT = Path(__file__).resolve().parent.parent

DRIVER = r"""
import os, signal, sys
from pathlib import Path
from toolkit.core import outdir
from toolkit.core.fsio import atomic_directory

step, target = sys.argv[1], Path(sys.argv[2])

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if step.startswith("fallback"):
    outdir.exchange = lambda tmp, target: False  # as without renameat2
if step in ("before-exchange",):
    outdir.exchange = die
if step in ("after-exchange", "fallback-after"):
    outdir.discard = die
if step == "fallback-between":
    outdir.move_in = die
if step == "cli-pack":
    from toolkit.cli import run
    outdir.discard = die
    run(["pack", sys.argv[3], "-o", str(target), "--overwrite"])
else:
    with atomic_directory(target, overwrite=True) as tmp:
        (tmp / "version").write_text("new")
        if step == "secret":
            (tmp / "batch-secret.json").write_text("{}")
        if step in ("during-build", "secret"):
            die()
"""


def _killed(step: str, target: Path, *extra: str) -> None:
    p = subprocess.run([sys.executable, "-c", DRIVER, step, str(target), *extra], cwd=ROOT, capture_output=True, check=False)
    assert p.returncode == -signal.SIGKILL, p.stderr


def _make(target: Path, version: str, *, overwrite: bool = True) -> None:
    with atomic_directory(target, overwrite=overwrite) as tmp:
        (tmp / "version").write_text(version)


def _siblings(target: Path) -> list[str]:
    return sorted(n for n in os.listdir(target.parent) if n != target.name)


@pytest.mark.parametrize(
    ("step", "left"),
    [("during-build", "old"), ("before-exchange", "old"), ("after-exchange", "new"), ("fallback-after", "new")],
)
def test_kill_at_any_step_leaves_a_complete_output(tmp_path: Path, step: str, left: str) -> None:
    target = tmp_path / "out"
    _make(target, "old")
    _killed(step, target)
    assert (target / "version").read_text() == left  # never missing, never half
    assert len(_siblings(target)) == 1  # the killed run's leftover ...
    _make(target, "third")
    assert (target / "version").read_text() == "third"
    assert _siblings(target) == []  # ... swept by the next run


def test_fallback_killed_between_renames_is_restored_by_the_next_run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "out"
    _make(target, "old")
    _killed("fallback-between", target)
    assert not target.exists()  # the documented window of the two-rename fallback
    left = _siblings(target)
    assert [n.rsplit(".", 1)[1] for n in left] == ["old", "tmp"]
    with caplog.at_level(logging.WARNING, logger="enoch"):
        assert outdir.sweep_stale(target) == []
    assert (target / "version").read_text() == "old" and _siblings(target) == []
    assert f"restored {target} from {tmp_path / left[0]}" in caplog.text
    # ... and a run that does not overwrite now finds the output in place.
    with pytest.raises(Exception, match="exists; pass --overwrite"):
        _make(target, "new", overwrite=False)


def test_stale_secret_is_kept_and_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert SECRET_NAME in outdir.SECRET_FILE_NAMES
    target = tmp_path / "plan"
    _killed("secret", target)
    assert not target.exists()
    (stale,) = _siblings(target)
    with caplog.at_level(logging.WARNING, logger="enoch"):
        _make(target, "new")
        _make(target, "newer")
    assert (tmp_path / stale / SECRET_NAME).exists()  # never deleted
    assert caplog.text.count(f"{tmp_path / stale} was left by a killed run and holds a batch secret") == 2
    assert _siblings(target) == [stale]


def test_secret_warning_reaches_stderr_from_the_cli(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    _killed("secret", target)
    (stale,) = _siblings(target)
    src = write_files(tmp_path / "src", {"a.txt": b"a"})
    p = subprocess.run([sys.executable, "-m", "toolkit", "pack", str(src), "-o", str(target)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr
    assert p.stderr == (
        f"warning: {tmp_path / stale} was left by a killed run and holds a batch secret whose addresses were never "
        "shown; it is kept: remove it yourself when you are sure it is not needed\n"
    )


def test_a_live_run_is_never_swept(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_directory(target) as tmp:
        (tmp / "f").write_text("x")
        assert outdir.sweep_stale(target) == []  # our own temporary is locked: live
        assert tmp.exists() and (tmp / "f").exists()
    assert (target / "f").exists() and _siblings(target) == []


def test_similar_names_are_not_swept(tmp_path: Path) -> None:
    target = tmp_path / "a"
    for name in (".a.b.12345678.tmp", ".ab.12345678.tmp", ".a.1234567.tmp", "a.12345678.tmp", ".a.12345678.tmpx"):
        (tmp_path / name).mkdir()
    _make(target, "x")
    assert len(_siblings(target)) == 5


def test_killed_cli_pack_overwrite(tmp_path: Path) -> None:
    from toolkit.cli import run

    src1 = write_files(tmp_path / "s1", {"a.txt": b"one"})
    src2 = write_files(tmp_path / "s2", {"b.txt": b"two"})
    out = tmp_path / "batch"
    assert run(["pack", str(src1), "-o", str(out)]) == 0
    _killed("cli-pack", out, str(src2))
    assert run(["verify", str(out)]) == 0 and (out / "manifest.json").read_bytes().count(b"b.txt") == 2
    assert run(["pack", str(src1), "-o", str(out), "--overwrite"]) == 0
    assert _siblings(out) == ["s1", "s2"]


def test_renameat2_exchange_is_used_here(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.write_text("b")
    if not outdir.renameat2(a, b, 2):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available on this kernel or file system")
    assert a.read_text() == "b" and b.is_dir()
