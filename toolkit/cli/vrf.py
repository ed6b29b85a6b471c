"""``enoch vrf``: ECVRF keygen, prove, verify, suites (SPEC C, V).  Thin:
options are parsed here, the work is done in ``vrf/``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import click

from toolkit.cli.options import block_options, json_option, overwrite_option
from toolkit.core.errors import OutputExistsError, UsageError, VerificationError
from toolkit.core.fsio import atomic_write, read_input
from toolkit.core.hexutil import parse_hex
from toolkit.cli.render import Result, SimpleResult, info
from toolkit.cli.lazy import StrictGroup
from vrf import ecvrf, keys
from vrf.record import MAX_RECORD_BYTES, ProofRecord, make_record, verify_record
from vrf.suites import DEFAULT_SUITE, SUITES, suite_by_name

_SUITE_NAMES = [s.name for s in SUITES]


@click.group(cls=StrictGroup)
def vrf() -> None:
    """ECVRF (RFC 9381): keys, proofs and offline verification."""


@vrf.command()
@json_option
def suites(json_mode: bool) -> Result:
    """List the supported RFC 9381 suites."""
    rows = [
        {"name": s.name, "suite_string": f"{s.suite_string:02x}", "default": s.name == DEFAULT_SUITE,
         "proof_bytes": s.pi_len, "public_key_bytes": s.curve.pt_len, "beta_bytes": s.h_len,
         "description": s.description}
        for s in SUITES
    ]
    text = "\n".join(
        f"{r['suite_string']}  {r['name']:<32} {r['description']}{' [default]' if r['default'] else ''}" for r in rows
    )
    return SimpleResult(data={"suites": rows}, text=text)


@vrf.command()
@click.option("--suite", default=DEFAULT_SUITE, show_default=True, help="RFC 9381 suite name.")
@click.option("-o", "--output", "output", required=True, help="Key file to create (mode 0600, never overwritten).")
@json_option
def keygen(suite: str, output: str, json_mode: bool) -> Result:
    """Create a new VRF key file.  The secret key is never printed."""
    if output == "-":
        raise UsageError("keygen writes a key file; '-' (stdout) would print the secret key")
    pair = keys.generate(suite_by_name(suite))
    keys.write_key_file(output, pair)
    data = {"suite": pair.suite.name, "public_key": pair.public_key.hex(), "key_file": output}
    return SimpleResult(data=data, text=f"wrote {output} ({pair.suite.name})\npublic key: {pair.public_key.hex()}")


def _parse_alpha(text: str) -> bytes:
    return b"" if text == "" else parse_hex(text, what="--alpha")


@vrf.command()
@click.option("--key", "key_file", required=True, help="VRF key file (enoch-vrf-key/1); '-' reads stdin.")
@click.option("--alpha", help="The VRF input as hex ('' for the empty input).")
@block_options
@click.option("-o", "--output", help="Write the proof record here instead of stdout.")
@overwrite_option
@json_option
def prove(
    key_file: str, alpha: str | None, block_hash: str | None, header_hex: str | None, context: str | None,
    output: str | None, overwrite: bool, json_mode: bool, **height_opts: Any,
) -> Result:
    """Prove an input; prints (or writes) an enoch-vrf-proof/1 record.  The
    block may be given by --height (SPEC H); --json then adds height,
    confirmations and chainwork next to the record's keys."""
    from toolkit.cli.height_source import HeightRequest

    height = HeightRequest.pop_from(height_opts)
    given = [name for name, value in (("--alpha", alpha), ("--block-hash", block_hash), ("--header", header_hex),
                                      ("--height", height.height)) if value is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of --alpha, --block-hash, --header and --height")
    if alpha is not None and context is not None:
        raise UsageError("--context applies to --block-hash/--header/--height; with --alpha put it in the hex")
    _check_outputs(output, height.save_headers, overwrite)
    pair = keys.read_key_file(key_file)
    if key_file != "-" and os.stat(key_file).st_mode & 0o077:
        info(f"warning: VRF key file {key_file} is readable by other users (chmod 600 it)")
    proof = None
    if alpha is not None:
        record = make_record(pair, _parse_alpha(alpha))
    else:
        if height.given:
            from toolkit.cli.height_source import resolve_height

            proof = resolve_height(height, overwrite=overwrite)
            internal = proof.block_hash_internal
        else:
            from toolkit.chain.header import block_hash_internal_from_options  # only prove needs headers

            internal = block_hash_internal_from_options(block_hash, header_hex)
        record = make_record(pair, b"", block_hash_internal=internal, context=context or "")
    extra = {} if proof is None else proof.to_json()
    if output is not None and output != "-":
        atomic_write(output, record.to_bytes(), overwrite=overwrite)
        return ProveResult(record, output, extra)
    return ProveResult(record, None, extra)


def _check_outputs(output: str | None, save_headers: str | None, overwrite: bool) -> None:
    """Both outputs are refused before either is written: -o and
    --save-headers must differ, and an existing -o needs --overwrite (it is
    written last, so a refusal then would leave the headers file behind)."""
    if output is None or output == "-":
        return
    if save_headers is not None and os.path.abspath(output) == os.path.abspath(save_headers):
        raise UsageError("-o and --save-headers name the same file; give two")
    if os.path.isdir(output):  # as atomic_write says it
        raise UsageError(f"{output} is a directory; give a file name")
    if not overwrite and os.path.lexists(output):
        raise OutputExistsError(f"{output} exists; pass --overwrite to replace it")


@dataclass
class ProveResult:
    """``vrf prove``: the record (printed, or written to ``written_to``)."""

    record: ProofRecord
    written_to: str | None
    by_height: dict[str, Any] = field(default_factory=dict)  # --height: height, confirmations, chainwork
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        # The record's keys, plus (--height) what proved the block's height;
        # those are not part of the record (-o writes the record alone).
        return {**self.record.to_json(), **self.by_height}

    def to_text(self) -> str:
        if self.written_to is None:
            return self.record.to_bytes().decode("utf-8")
        return f"wrote {self.written_to}\nbeta: {self.record.beta.hex()}"


@dataclass
class VerifyResult:
    """``vrf verify``: beta when valid (exit 0), else the reason (exit 1)."""

    suite: str
    beta: bytes | None
    reason: str | None = None
    exit_code: int = 0

    def __post_init__(self) -> None:
        self.exit_code = 0 if self.beta is not None else 1

    def to_json(self) -> dict[str, Any]:
        beta = None if self.beta is None else self.beta.hex()
        data: dict[str, Any] = {"valid": self.beta is not None, "beta": beta, "suite": self.suite}
        if self.reason is not None:
            data["reason"] = self.reason
        return data

    def to_text(self) -> str:
        if self.beta is not None:
            return f"valid ({self.suite})\nbeta: {self.beta.hex()}"
        return f"INVALID ({self.suite}): {self.reason}"


@vrf.command()
@click.argument("proof_file", required=False)
@click.option("--suite", help="Suite name (with --public-key/--alpha/--pi).")
@click.option("--public-key", help="Public key as hex.")
@click.option("--alpha", help="The VRF input as hex ('' for the empty input).")
@click.option("--pi", help="The proof as hex.")
@click.option("--no-validate-key", is_flag=True, help="Skip ECVRF_validate_key (accepts small-order keys: unsafe).")
@json_option
def verify(
    proof_file: str | None, suite: str | None, public_key: str | None, alpha: str | None, pi: str | None,
    no_validate_key: bool, json_mode: bool,
) -> Result:
    """Verify a proof record file, or a proof given as hex.  Exit 1 if invalid."""
    parts = (suite, public_key, alpha, pi)
    if proof_file is not None:
        if any(p is not None for p in parts):
            raise UsageError("give a PROOF_FILE or --suite/--public-key/--alpha/--pi, not both")
        record = ProofRecord.from_bytes(read_input(proof_file, what="proof file", limit=MAX_RECORD_BYTES))
    else:
        if any(p is None for p in parts):
            raise UsageError("give a PROOF_FILE, or all of --suite, --public-key, --alpha and --pi")
        assert suite is not None and public_key is not None and alpha is not None and pi is not None
        s = suite_by_name(suite)
        pk = parse_hex(public_key, what="--public-key", length=s.curve.pt_len)
        pi_bytes = parse_hex(pi, what="--pi", length=s.pi_len)
        a = _parse_alpha(alpha)
        try:
            return VerifyResult(s.name, ecvrf.verify(s, pk, a, pi_bytes, validate_key=not no_validate_key))
        except VerificationError as exc:
            return VerifyResult(s.name, None, exc.reason)
    try:
        out = verify_record(record, validate_key=not no_validate_key)
    except VerificationError as exc:
        return VerifyResult(record.suite.name, None, exc.reason)
    return VerifyResult(out.suite, out.beta)
