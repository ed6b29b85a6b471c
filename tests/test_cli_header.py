"""``enoch header verify``: single headers, chains (hex lines and raw records),
tampering, broken links and malformed input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.fixtures import load_json, params

Enoch = Callable[..., CliResult]
MAINNET = load_json("mainnet-headers", "mainnet-headers.json")
HEADERS = MAINNET["headers"]
BY_HEIGHT = {h["height"]: h for h in HEADERS}
SYNTHETIC = MAINNET["pow_valid_but_not_mainnet"]["headers"]


@pytest.mark.parametrize("hdr", params(HEADERS, lambda h: f"height-{h['height']}"))
def test_mainnet_header_verifies(enoch: Enoch, hdr: dict[str, Any]) -> None:
    r = enoch("header", "verify", hdr["header_hex"], "--json")
    assert r.exit_code == 0, r.stderr
    obj = r.json()
    assert (obj["hash"], obj["target"], obj["pow_valid"], obj["valid"]) == (hdr["hash"], hdr["target_hex"], True, True)
    one = obj["headers"][0]
    assert (one["bits"], one["nonce"], one["time"], one["version"]) == (hdr["bits"][2:], hdr["nonce"], hdr["time"], hdr["version"])
    assert (one["prev_hash"], one["merkle_root"]) == (hdr["prev_hash"], hdr["merkle_root"])
    assert one["link_valid"] is None and obj["difficulty"] >= 1.0
    text = enoch("header", "verify", hdr["header_hex"])
    assert text.exit_code == 0 and hdr["hash"] in text.stdout and "work        valid" in text.stdout
    assert "not its height" in text.stdout


def _core_style_difficulty(bits: int) -> float:
    # Bitcoin Core's GetDifficulty: 0xffff / mantissa, scaled by 256 per exponent step from 29.
    shift, diff = bits >> 24, 0xFFFF / (bits & 0x00FFFFFF)
    while shift < 29:
        diff, shift = diff * 256.0, shift + 1
    while shift > 29:
        diff, shift = diff / 256.0, shift - 1
    return diff


@pytest.mark.parametrize("hdr", params(HEADERS, lambda h: f"height-{h['height']}"))
def test_difficulty_matches_cores_formula(enoch: Enoch, hdr: dict[str, Any]) -> None:
    d = enoch("header", "verify", hdr["header_hex"], "--json").json()["difficulty"]
    assert d == pytest.approx(_core_style_difficulty(int(hdr["bits"], 16)), rel=1e-15)
    if hdr["height"] == 0:
        assert d == 1.0


@pytest.mark.parametrize("position", [0, 4, 36, 68, 72, 76, 79])
def test_tampered_header_fails_with_exit_1(enoch: Enoch, position: int) -> None:
    raw = bytearray(bytes.fromhex(BY_HEIGHT[481824]["header_hex"]))
    raw[position] ^= 0x40
    r = enoch("header", "verify", raw.hex(), "--json")
    assert r.exit_code == 1
    obj = r.json()
    assert obj["pow_valid"] is False and obj["valid"] is False and obj["headers"][0]["pow_error"]
    assert "INVALID" in enoch("header", "verify", raw.hex()).stdout


def test_invalid_nbits_reported_not_crashed(enoch: Enoch) -> None:
    raw = bytearray(bytes.fromhex(BY_HEIGHT[0]["header_hex"]))
    raw[72:76] = (0x04923456).to_bytes(4, "little")  # negative target
    obj = enoch("header", "verify", raw.hex(), "--json").json()
    assert obj["target"] is None and obj["difficulty"] is None and "negative" in obj["headers"][0]["pow_error"]


def _chain_text(heights: list[int]) -> str:
    return "\n".join(BY_HEIGHT[h]["header_hex"] for h in heights) + "\n"


def test_chain_as_hex_lines_and_raw_records(enoch: Enoch, tmp_path: Path) -> None:
    hexfile = tmp_path / "chain.txt"
    hexfile.write_text(_chain_text([0, 1, 2]))
    rawfile = tmp_path / "chain.bin"
    rawfile.write_bytes(b"".join(bytes.fromhex(BY_HEIGHT[h]["header_hex"]) for h in (0, 1, 2)))
    for f in (hexfile, rawfile):
        r = enoch("header", "verify", "--file", str(f), "--json")
        assert r.exit_code == 0
        obj = r.json()
        assert obj["count"] == 3 and obj["links_valid"] and obj["hash"] == BY_HEIGHT[2]["hash"]
        # A chain lists its tip only (a whole list would be as large as the file).
        assert [(h["hash"], h["link_valid"]) for h in obj["headers"]] == [(BY_HEIGHT[2]["hash"], True)]
        assert (obj["anchor"], obj["first_height"], obj["last_height"]) == ({"height": 0, "hash": BY_HEIGHT[0]["hash"]}, 0, 2)


def test_broken_link_is_exit_1(enoch: Enoch, tmp_path: Path) -> None:
    f = tmp_path / "chain.txt"
    f.write_text(_chain_text([0, 2, 1]))
    r = enoch("header", "verify", "--file", str(f), "--json")
    assert r.exit_code == 1
    assert r.json()["error"]["message"].startswith("verification failed: height 1: rule 1 (linked) failed")
    assert "height 1: rule 1 (linked)" in enoch("header", "verify", "--file", str(f)).stderr


def test_synthetic_chain_passes_pow_and_links(enoch: Enoch, tmp_path: Path) -> None:
    # Valid work and links on top of the real genesis -- yet not mainnet blocks 1-4: an anchored
    # chain proves heights, not that it is the best chain (period 0 is at difficulty 1).
    f = tmp_path / "synthetic.txt"
    f.write_text(BY_HEIGHT[0]["header_hex"] + "\n" + "\n".join(h["header_hex"] for h in SYNTHETIC) + "\n")
    obj = enoch("header", "verify", "--file", str(f), "--json").json()
    assert obj["valid"] is True and obj["last_height"] == len(SYNTHETIC)
    assert obj["hash"] != BY_HEIGHT[2]["hash"] and obj["count"] == len(SYNTHETIC) + 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"00" * 79, "line 1: block header must be 80 bytes"),
        (b"xyz", "line 1: block header is not hex"),  # printable text is read as hex lines
        (b"x" * 160, "line 1: block header is not hex"),  # ... even at a multiple of 80 bytes
        (bytes(81), "raw headers"),
        (b"\n\n", "blank"),
    ],
)
def test_malformed_files_are_exit_65(enoch: Enoch, tmp_path: Path, content: bytes, match: str) -> None:
    f = tmp_path / "h"
    f.write_bytes(content)
    r = enoch("header", "verify", "--file", str(f))
    assert r.exit_code == 65 and match in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("bad", ["00" * 79, "00" * 81, "zz" * 80, "0x" + "00" * 80])
def test_malformed_hex_argument_is_exit_65(enoch: Enoch, bad: str) -> None:
    r = enoch("header", "verify", bad, "--json")
    assert r.exit_code == 65 and r.json()["error"]["code"] == "malformed_input"


def test_usage_and_missing_file(enoch: Enoch, tmp_path: Path) -> None:
    assert enoch("header", "verify").exit_code == 2
    assert enoch("header", "verify", BY_HEIGHT[0]["header_hex"], "--file", "x").exit_code == 2
    assert enoch("header", "verify", "--file", str(tmp_path / "missing")).exit_code == 66


def test_raw_records_from_stdin(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "chain.bin"
    f.write_bytes(b"".join(bytes.fromhex(BY_HEIGHT[h]["header_hex"]) for h in (0, 1)))
    with f.open("r", encoding="latin-1") as fh:
        monkeypatch.setattr("sys.stdin", fh)
        r = enoch("header", "verify", "--file", "-", "--json")
    assert r.exit_code == 0 and r.json()["count"] == 2 and r.json()["valid"] is True
