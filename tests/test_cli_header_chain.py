"""``enoch header verify --file F [--network N] [--no-anchor]`` on the 20,000
real mainnet headers (SPEC H): the report, and exit 1 with the height and
rule for each way the chain can be broken."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.fixtures import fixture_path

Enoch = Callable[..., CliResult]
FILE = fixture_path("mainnet-headers", "mainnet-headers-80001-100000.txt")
LINES = FILE.read_text(encoding="ascii").split()
RETARGETS = [82656, 84672, 86688, 88704, 90720, 92736, 94752, 96768, 98784]


def test_the_real_chain(enoch: Enoch) -> None:
    r = enoch("header", "verify", "--file", str(FILE), "--json")
    assert r.exit_code == 0, r.stderr
    obj = r.json()
    assert obj["hash"] == "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506"
    assert (obj["pow_valid"], obj["links_valid"], obj["valid"], obj["count"]) == (True, True, True, 20000)
    assert obj["target"] == "000000000004864c" + "0" * 48 and obj["headers"][0]["bits"] == "1b04864c"
    assert obj["anchor"] == {"height": 80639, "hash": "0000000000235b1ec6656d8e91f3dde3b6ab9ad7e75b332e4da9355ce60d860e"}
    assert (obj["network"], obj["anchored"], obj["first_height"], obj["last_height"]) == ("mainnet", True, 80001, 100000)
    assert obj["chainwork"] == f"{0x644CB7F5234089E:064x}" and obj["retargets"] == RETARGETS
    text = enoch("header", "verify", "--file", str(FILE), "--network", "mainnet").stdout
    assert "80001 .. 100000 (20000 headers)" in text and "chain work  0x644cb7f5234089e" in text
    assert "checkpoint block 80639" in text and "9 recomputed" in text


def _run(enoch: Enoch, tmp_path: Path, lines: list[str], *extra: str) -> CliResult:
    f = tmp_path / "chain.txt"
    f.write_text("# test chain\n" + "\n".join(lines) + "\n")
    return enoch("header", "verify", "--file", str(f), *extra)


def _flip(line: str, byte: int) -> str:
    raw = bytearray(bytes.fromhex(line))
    raw[byte] ^= 0x80
    return raw.hex()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda ls: ls[:9999] + ls[10000:], "height 90000: rule 1 (linked) failed"),  # a missing header
        (lambda ls: ls[:9999] + [_flip(ls[9999], 50)] + ls[10000:], "height 90000: rule 2 (proof of work) failed: hash"),
        (lambda ls: ls[:9999] + [_flip(ls[9999], 20)] + ls[10000:], "height 90000: rule 1 (linked) failed"),
        (lambda ls: ls[700:2000], "the chain is not anchored"),
    ],
    ids=["missing", "flipped-merkle", "flipped-prev", "unanchored"],
)
def test_broken_chains_are_exit_1(enoch: Enoch, tmp_path: Path, edit: Callable[[list[str]], list[str]], message: str) -> None:
    r = _run(enoch, tmp_path, edit(LINES), "--json")
    assert r.exit_code == 1, r.stdout
    obj = r.json()
    assert obj["ok"] is False and obj["error"]["code"] == "verification_failed" and message in obj["error"]["message"]
    plain = _run(enoch, tmp_path, edit(LINES))
    assert plain.exit_code == 1 and message in plain.stderr and plain.stderr.count("\n") == 1 and not plain.stdout


def test_no_anchor(enoch: Enoch, tmp_path: Path) -> None:
    r = _run(enoch, tmp_path, LINES[700:2000], "--no-anchor", "--json")
    assert r.exit_code == 0
    obj = r.json()
    assert (obj["anchored"], obj["anchor"], obj["first_height"], obj["last_height"], obj["chainwork"]) == (False, None, None, None, None)
    assert obj["count"] == 1300 and obj["retargets"] == []
    bad = _run(enoch, tmp_path, LINES[700:900] + LINES[901:2000], "--no-anchor")
    assert bad.exit_code == 1 and "header 201 of the chain: rule 1 (linked)" in bad.stderr
    assert "heights not proven" in _run(enoch, tmp_path, LINES[700:2000], "--no-anchor").stdout


def test_other_networks_and_usage(enoch: Enoch, tmp_path: Path) -> None:
    r = _run(enoch, tmp_path, LINES[:3000], "--network", "signet")
    assert r.exit_code == 1 and "not anchored" in r.stderr  # mainnet blocks are no signet chain
    assert _run(enoch, tmp_path, LINES[:10], "--network", "regtest").exit_code == 2


def test_malformed_line_is_exit_65(enoch: Enoch, tmp_path: Path) -> None:
    r = _run(enoch, tmp_path, LINES[:5] + ["zz" * 80] + LINES[5:10])
    assert r.exit_code == 65 and "line 7: block header is not hex" in r.stderr


def test_docs_example_is_the_real_output(enoch: Enoch, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "randomness.md").read_text(encoding="utf-8")
    command = "$ enoch header verify --file fixtures/mainnet-headers/mainnet-headers-80001-100000.txt\n"
    quoted = doc.split(command)[1].split("```")[0]
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    assert enoch(*command[2:].split()[1:]).stdout == quoted


def test_crlf_and_uppercase_are_read_padding_is_refused(enoch: Enoch, tmp_path: Path) -> None:
    # docs/randomness.md "Header chain file": CRLF and either case are the
    # same chain; blanks around a header line are exit 65 naming the line.
    f = tmp_path / "windows.txt"
    f.write_bytes(("# saved on Windows\r\n" + "\r\n".join(x.upper() for x in LINES[:2100]) + "\r\n").encode())
    r = enoch("header", "verify", "--file", str(f), "--json")
    assert r.exit_code == 0 and r.json()["last_height"] == 82100, r.stderr
    f.write_bytes(("\n".join(LINES[:2100]) + " \n").encode())
    r = enoch("header", "verify", "--file", str(f), "--json")
    assert r.exit_code == 65 and "line 2100: spaces or tabs around the header" in r.json()["error"]["message"], r.stdout
