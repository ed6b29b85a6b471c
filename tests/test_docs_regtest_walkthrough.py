"""Issue 8's "done when", literally: the shell blocks of docs/inscribe.md's
"Try the whole path on a local regtest chain" run as written, with bash, in a
temporary directory laid out like the repository root (``tests`` and
``fixtures`` linked in).  The first block, the node, is started by this test
through the same ``python -m tests.regtest`` command line; the others run as
one ``bash -eu -o pipefail`` script, so any step that fails fails the test.
Then the final ``status --json``: every group confirmed from ONE funding
transaction (the bumped group with its bumped version, broadcast after the
first one and replacing it in the mempool), the ids those of ``index.json`` in manifest-then-leaf order, and
the batch rebuilt from the node equal to the packed one and verified."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.doc_shell import commands, section, shell_blocks

ROOT = Path(__file__).resolve().parent.parent
HEADING = "Try the whole path on a local regtest chain"


def _blocks() -> tuple[list[str], str]:
    node, *steps = shell_blocks(section((ROOT / "docs" / "inscribe.md").read_text(encoding="utf-8"), HEADING))
    (line,) = commands(node)
    argv = shlex.split(line, comments=True)
    assert argv[:3] == ["python", "-m", "tests.regtest"], line
    assert steps, "no commands after the node"
    return argv, "\n".join(steps)


def _option(script: str, command: str, option: str) -> str:
    """The value of ``option`` on the script's ``command`` line."""
    match = re.search(rf"{re.escape(command)}[^\n]*?{re.escape(option)} (\S+)", script)
    assert match, f"no `{command} ... {option}` in the doc"
    return match.group(1)


def _node_env(path: Path) -> dict[str, str]:
    return dict(shlex.split(line)[1].split("=", 1) for line in path.read_text().splitlines())


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_regtest_walkthrough_runs_as_written(tmp_path: Path) -> None:
    node_argv, script = _blocks()
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("tests", "fixtures"):
        (repo / name).symlink_to(ROOT / name, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENOCH_BITCOIND", "ENOCH_REGTEST"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this venv's python and enoch
    datadir = repo / node_argv[node_argv.index("--datadir") + 1]
    node = subprocess.Popen(node_argv, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (datadir / "node.env").is_file():
            assert node.poll() is None and time.monotonic() < deadline, node.communicate(timeout=5)
            time.sleep(0.05)
        walk = _run(["bash", "-eu", "-o", "pipefail", "-c", script], repo, env)
        assert walk.returncode == 0, walk.stderr[-3000:]

        node_env = _node_env(datadir / "node.env")
        plan, batch = repo / _option(script, "inscribe plan", "-o"), repo / _option(script, "enoch pack", "-o")
        from_chain = repo / _option(script, "inscribe extract", "-o")
        status = _run(["enoch", "inscribe", "status", str(plan), "--node", f"bitcoind:{node_env['ENOCH_REGTEST_URL']}", "--json"], repo, env | node_env)
        assert status.returncode == 0, status.stderr
        groups: list[dict[str, Any]] = json.loads(status.stdout)["groups"]
        assert len(groups) >= 2
        assert len({g["funding"]["txid"] for g in groups}) == 1  # one funding payment
        bumped = int(_option(script, "inscribe bump", "--group"))
        for g in groups:
            assert g["confirmed_txid"] is not None, g
            (confirmed,) = [r for r in g["reveals"] if r["txid"] == g["confirmed_txid"]]
            assert confirmed["confirmations"] >= 1
            # The bump, broadcast after the first version, replaced it: the bumped version confirmed.
            assert [r["version"] for r in g["reveals"]][-1] == confirmed["version"] == (2 if g["group"] == bumped else 1)
            assert g["inscription_ids"] == [f"{g['confirmed_txid']}i{n}" for n in range(len(g["inscription_ids"]))]
        index = json.loads((plan / "index.json").read_text())
        manifest = json.loads((batch / "manifest.json").read_text())
        assert len(index["leaves"]) == index["tree_size"] == manifest["tree_size"] == len(manifest["shards"])
        assert [i for g in groups for i in g["inscription_ids"]] == [index["manifest_id"], *index["leaves"]]
        assert (from_chain / "manifest.json").read_bytes() == (batch / "manifest.json").read_bytes()
        assert _run(["enoch", "verify", str(from_chain)], repo, env).returncode == 0
    finally:
        node.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            out, err = node.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            node.kill()
            raise
    assert node.returncode == 0, err
    assert out.rstrip().endswith("stopped") and not (datadir / "node.env").exists() and not (datadir / ".cookie").exists()


def test_a_missing_section_is_an_error() -> None:
    with pytest.raises(ValueError, match="0 headings"):
        section("## Other\n```sh\nls\n```\n", HEADING)
    text = f"# Top\n## {HEADING}\n```sh\n# not a heading\na\n```\n```text\nout\n```\n### Sub\n```sh\nb\n```\n## Next\n```sh\nc\n```\n"
    assert shell_blocks(section(text, HEADING)) == ["# not a heading\na\n", "b\n"]
