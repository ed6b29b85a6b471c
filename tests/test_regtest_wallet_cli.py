"""What the regtest walkthrough gives a user instead of a wallet: Core's
``send``/``sendmany``/``getnewaddress`` on the harness (one transaction,
exact amounts, Core's error codes), the bitcoin-cli stand-in
``python -m tests.regtest.cli``, and the standalone node
``python -m tests.regtest`` (refuses a foreign datadir, stops by itself)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.regtest import __main__ as standalone
from tests.regtest import cli
from tests.regtest.client import RpcFailure
from tests.regtest.codec import address_to_script
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.keys import TaprootKey

ROOT = Path(__file__).resolve().parent.parent
A, B = TaprootKey(b"a").address, TaprootKey(b"b").address


def _outputs(node: Regtest, txid: str) -> list[tuple[bytes, int]]:
    tx = node.rpc("getrawtransaction", txid, True)
    return [(bytes.fromhex(o["scriptPubKey"]["hex"]), round(o["value"] * 100_000_000)) for o in tx["vout"]]


def test_send_pays_every_output_in_one_transaction(regtest_node: Regtest) -> None:  # noqa: F811
    node = regtest_node
    wallet = node.rpc("getnewaddress")
    assert wallet.startswith("bcrt1p") and address_to_script(wallet) == node.node.wallet.script_pubkey
    sent = node.rpc("send", [{A: 0.00067014}, {B: "0.001"}])
    assert sent["complete"] is True and node.rpc("getrawmempool") == [sent["txid"]]
    outs = _outputs(node, sent["txid"])
    assert outs[:2] == [(address_to_script(A), 67_014), (address_to_script(B), 100_000)]
    assert [s for s, _ in outs[2:]] == [node.node.wallet.script_pubkey]  # change, last
    txid = node.rpc("sendmany", "", {A: 0.5, B: 1})
    assert _outputs(node, txid)[:2] == [(address_to_script(A), 50_000_000), (address_to_script(B), 100_000_000)]
    node.mine(1)
    assert node.rpc("getrawmempool") == [] and node.rpc("getrawtransaction", txid, True)["confirmations"] == 1


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ([{A: 0.000000011}], -3, "Invalid amount"),
        ([{A: -1}], -3, "Amount out of range"),
        ([{A: 0}], -3, "Invalid amount for send"),
        ([{A: "abc"}], -3, "Invalid amount"),
        ([{A: True}], -3, "Amount is not a number or string"),
        ([{"bc1pmzfrwwndsqmk5yh69yjr5lfgfg4ev8c0tsc06e": 0.001}], -5, "Invalid Bitcoin address"),
        ([{A: 0.001}, {A: 0.002}], -8, "duplicated address"),
        ([], -8, "outputs are empty"),
        ([{"data": "00"}], -8, "data outputs"),
        ("nope", -3, "object or array of objects"),
        ([{A: 21_000_000}], -6, "Insufficient funds"),
    ],
)
def test_send_refuses_like_core(regtest_node: Regtest, params: Any, code: int, message: str) -> None:  # noqa: F811
    with pytest.raises(RpcFailure) as caught:
        regtest_node.rpc("send", params)
    assert caught.value.code == code and message in caught.value.message
    assert regtest_node.rpc("getrawmempool") == []  # nothing was sent


def test_send_options_and_sendmany_dummy(regtest_node: Regtest) -> None:  # noqa: F811
    calls: list[tuple[str, tuple[Any, ...]]] = [("send", ([{A: 0.001}], None, None, None, {"inputs": []})), ("sendmany", ("x", {A: 0.001}))]
    for method, params in calls:
        with pytest.raises(RpcFailure) as caught:
            regtest_node.rpc(method, *params)
        assert caught.value.code == -8
    with pytest.raises(RpcFailure, match="fee_rate"):
        regtest_node.rpc("send", [{A: 0.001}], None, None, 0)


def _cli(node: Regtest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv(cli.URL_ENV, node.url)
    monkeypatch.setenv(cli.COOKIE_ENV, str(node.cookie_path))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_like_bitcoin_cli(regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    node = regtest_node
    assert _cli(node, monkeypatch, capsys, "getblockcount") == (0, "101\n", "")
    code, out, _ = _cli(node, monkeypatch, capsys, "-named", "send", f'outputs=[{{"{A}": 0.00067014}}]')
    txid = json.loads(out)["txid"]
    assert code == 0 and out.startswith("{\n  ")  # indented JSON
    assert _cli(node, monkeypatch, capsys, "getrawtransaction", txid) == (0, node.rpc("getrawtransaction", txid) + "\n", "")
    assert _outputs(node, txid)[0] == (address_to_script(A), 67_014)  # exact through the float-free path
    # "1" stays a string for a string parameter, becomes a number for a numeric one
    assert _cli(node, monkeypatch, capsys, "getblockhash", "0")[1].strip() == node.rpc("getblockhash", 0)
    code, out, err = _cli(node, monkeypatch, capsys, "generatetoaddress", "1", "bcrt1qnope")
    assert (code, out, err) == (5, "", "error code: -5\nerror message:\nError: Invalid address\n")
    assert _cli(node, monkeypatch, capsys, "gettxout", txid, "0", "true")[0] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "no method given"),
        (("-bogus", "getblockcount"), "unknown option -bogus"),
        (("send", "[{"), "Error parsing JSON"),
        (("-named", "send", "outputs"), "No '=' in named argument"),
    ],
)
def test_cli_usage_errors(regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str) -> None:  # noqa: F811
    code, out, err = _cli(regtest_node, monkeypatch, capsys, *argv)
    assert code == 1 and out == "" and message in err and "Traceback" not in err


def test_cli_without_node_or_with_a_wrong_cookie(regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # noqa: F811
    monkeypatch.delenv(cli.URL_ENV, raising=False)
    monkeypatch.delenv(cli.COOKIE_ENV, raising=False)
    assert cli.main(["getblockcount"]) == 1 and cli.URL_ENV in capsys.readouterr().err
    wrong = tmp_path / "cookie"
    wrong.write_text("__cookie__:00")
    assert cli.main([f"-rpcurl={regtest_node.url}", f"-rpccookiefile={wrong}", "getblockcount"]) == 1
    assert "Authorization failed" in capsys.readouterr().err
    assert cli.main([f"-rpcurl={regtest_node.url}", f"-rpccookiefile={tmp_path / 'none'}", "getblockcount"]) == 1
    assert "cannot read the cookie file" in capsys.readouterr().err


def test_a_foreign_datadir_is_refused_and_kept(tmp_path: Path) -> None:
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    with pytest.raises(standalone.Refused, match="not made by"):
        standalone.fresh_datadir(mine)
    assert (mine / "keep.txt").read_text() == "mine"
    ours = tmp_path / "ours"
    standalone.fresh_datadir(ours)
    (ours / "kernel").mkdir()
    standalone.fresh_datadir(ours)  # emptied: a new chain each start
    assert sorted(p.name for p in ours.iterdir()) == [standalone.MARKER]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_standalone_node_serves_on_its_port_and_stops_when_idle(tmp_path: Path) -> None:
    port, datadir = _free_port(), tmp_path / "node"
    argv = [sys.executable, "-m", "tests.regtest", "--datadir", str(datadir), "--port", str(port), "--blocks", "3", "--idle-timeout", "1"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert f"url:    http://127.0.0.1:{port}/" in done.stdout
    assert f"export ENOCH_BITCOIND_COOKIE={datadir / '.cookie'}" in done.stdout
    assert done.stdout.rstrip().endswith("stopped: idle timeout")
    assert not (datadir / ".cookie").exists() and not (datadir / "node.env").exists()


def test_standalone_node_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = [sys.executable, "-m", "tests.regtest", "--datadir", str(tmp_path / "n"), "--port", str(port), "--blocks", "0"]
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=os.environ)
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_a_datadir_whose_node_still_answers_is_refused(tmp_path: Path) -> None:
    datadir = tmp_path / "node"
    standalone.fresh_datadir(datadir)
    running = Regtest(datadir)
    try:
        (datadir / standalone.ENV_FILE).write_text(standalone.env_lines(running))
        with pytest.raises(standalone.Refused, match="still answers"):
            standalone.fresh_datadir(datadir)
        assert (datadir / ".cookie").is_file()
    finally:
        running.stop()
    standalone.fresh_datadir(datadir)  # stopped: a leftover node.env no longer blocks
