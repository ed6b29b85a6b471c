"""Shared helpers for the draw tests: the fixtures of fixtures/draws/ and the
golden draws run through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import CliResult
from tests.fixtures import fixture_path, load_json

ENTRANTS = fixture_path("draws", "entrants.txt")
HEADERS = fixture_path("draws", "mainnet-headers-80600-80660.txt")
HEADERS_FIRST_HEIGHT = 80600
GOLDEN: list[dict[str, Any]] = load_json("draws", "golden.json")["draws"]
Enoch = Callable[..., CliResult]


def vrf_key_file(tmp: Path, example: int = 16, name: str = "key.json") -> Path:
    """A key file holding the secret key of an RFC 9381 Appendix B example."""
    from vrf.keys import KeyPair, write_key_file
    from vrf.suites import suite_by_name

    vector = next(v for v in load_json("rfc9381", "rfc9381.json")["vectors"] if v["example"] == example)
    path = tmp / name
    write_key_file(path, KeyPair.from_secret(suite_by_name(vector["suite"]), bytes.fromhex(vector["sk"])))
    return path


def vrf_public_key(example: int) -> str:
    vector = next(v for v in load_json("rfc9381", "rfc9381.json")["vectors"] if v["example"] == example)
    return str(vector["pk"])


def commit_args(args: dict[str, Any], entrants: Path = ENTRANTS) -> list[str]:
    out = ["draw", "commit", "--network", args["network"], "--height", str(args["height"]),
           "--confirmations", str(args["confirmations"]), "--context", args["context"],
           "--entrants", str(entrants), "--winners", str(args["winners"])]
    if "vrf_example" in args:
        out += ["--vrf-suite", args["vrf_suite"], "--vrf-public-key", vrf_public_key(args["vrf_example"])]
    return out


def make_draw(enoch: Enoch, tmp: Path, vector: dict[str, Any]) -> tuple[Path, Path]:
    """Commit and run a golden draw through the CLI; the request and receipt paths."""
    request, receipt = tmp / f"{vector['name']}-request.json", tmp / f"{vector['name']}-receipt.json"
    got = enoch(*commit_args(vector["args"]), "-o", request)
    assert got.exit_code == 0, got.stderr
    extra = ["--vrf-key", str(vrf_key_file(tmp))] if "vrf_example" in vector["args"] else []
    got = enoch("draw", "run", request, "--entrants", ENTRANTS, "--headers", HEADERS, *extra, "-o", receipt)
    assert got.exit_code == 0, got.stderr
    return request, receipt
