"""Every parser fuzz target and its seeds (the machinery is tests/fuzzkit.py)."""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any


from tests.fuzzkit import Target, text


# --- seeds ---------------------------------------------------------------------


def _scratch(**kw: Any) -> Path:
    """A temporary directory removed when the process exits."""
    import atexit
    import shutil

    root = Path(tempfile.mkdtemp(prefix="enoch-fuzz-", **kw))
    atexit.register(shutil.rmtree, root, True)
    return root


@functools.cache
def _batch_dir() -> Path:
    from tests.batchkit import make_batch

    root = _scratch()
    return make_batch(root, {"a.txt": b"hello\n" * 300, "b/c.html": hashlib.shake_256(b"c").digest(3000)}, shard_size=1024)


@functools.cache
def _plan_dir() -> Path:
    from inscriptions.batch.verify import verify_batch
    from inscriptions.transactions.network import parse_address
    from inscriptions.plans.plan import make_plan
    from tests.batchkit import SIGNET_P2WPKH

    out = _batch_dir().parent / "plan"
    batch = verify_batch(_batch_dir())
    dest = parse_address(SIGNET_P2WPKH, "signet")
    make_plan(batch, out, destination=dest, postage=1000, relay="direct", fee_rate=Decimal(2), ceiling=Decimal(5))
    return out


@functools.cache
def _brotli_batch_dir() -> Path:
    from tests.batchkit import make_batch

    files = {"a.txt": b"hello\n" * 300, "b.bin": hashlib.shake_256(b"b").digest(2000)}
    return make_batch(_scratch(), files, shard_size=1024, compressor="brotli")


def _manifest_seeds() -> list[bytes]:
    return [(d / "manifest.json").read_bytes() for d in (_batch_dir(), _brotli_batch_dir())]


def _proof_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted((_batch_dir() / "proofs").iterdir())[:3]]


def _shard_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted((_batch_dir() / "shards").iterdir())[:3]]


def _plan_seeds() -> list[bytes]:
    return [(_plan_dir() / "plan.json").read_bytes()]


def _secret_seeds() -> list[bytes]:
    return [(_plan_dir() / "batch-secret.json").read_bytes()]


@functools.cache
def _fuzz_plan_dir() -> Path:
    """A copy of the plan directory whose plan.json (or secret) the target
    rewrites; in memory (/dev/shm) where available, as it is written per input."""
    import shutil

    shm = Path("/dev/shm")
    root = _scratch(dir=shm if shm.is_dir() else None)
    copy = root / "plan"
    shutil.copytree(_plan_dir(), copy)
    return copy


_dirty: set[str] = set()


def _load_plan(data: bytes, name: str = "plan.json") -> object:
    from inscriptions.plans.planfile import load_plan

    d = _fuzz_plan_dir()
    for other in _dirty - {name}:  # put back the file an earlier input replaced
        (d / other).write_bytes((_plan_dir() / other).read_bytes())
    _dirty.clear()
    (d / name).write_bytes(data)
    _dirty.add(name)
    return load_plan(d)


def _tx_seeds() -> list[bytes]:
    from tests.test_rawtx import LEGACY, RAW

    return [RAW, LEGACY]


def _envelope_seeds() -> list[bytes]:
    from inscriptions.transactions.envelope import Inscription, build_envelope, encode_pointer
    from inscriptions.transactions.metadata import InscriptionMetadata

    meta = InscriptionMetadata(b"\x11" * 32, 5, 3).to_bytes()
    return [
        build_envelope(Inscription(body=b"x" * 600, content_type=b"text/plain", content_encoding=b"gzip", metadata=meta)),
        build_envelope(Inscription(body=b"", content_type=b"a", pointer=encode_pointer(10_000))),
    ]


def _metadata_seeds() -> list[bytes]:
    from inscriptions.transactions.metadata import InscriptionMetadata

    return [InscriptionMetadata(b"\x22" * 32, 7, 6).to_bytes(), InscriptionMetadata(b"\x22" * 32, 7, None).to_bytes()]


def _header_seeds() -> list[bytes]:
    from tests.fixtures import load_json

    headers = load_json("mainnet-headers", "mainnet-headers.json")["headers"]
    return [bytes.fromhex(h["header_hex"]) for h in headers[:3]]


def _header_file_seeds() -> list[bytes]:
    raw = _header_seeds()
    return [b"".join(raw), b"".join(r.hex().encode() + b"\r\n" for r in raw), raw[0].hex().upper().encode()]


def _vrf_seeds() -> list[bytes]:
    from vrf.keys import KeyPair
    from vrf.record import make_record
    from vrf.suites import suite_by_name

    out: list[bytes] = []
    for suite in ("ECVRF-EDWARDS25519-SHA512-TAI", "ECVRF-P256-SHA256-TAI"):
        pair = KeyPair.from_secret(suite_by_name(suite), hashlib.sha256(suite.encode()).digest())
        out += [pair.to_bytes(), make_record(pair, b"alpha").to_bytes()]
    return out


def _vrf_key_seeds() -> list[bytes]:
    return [s for s in _vrf_seeds() if b"secret_key" in s]


def _vrf_record_seeds() -> list[bytes]:
    return [s for s in _vrf_seeds() if b"secret_key" not in s]


def _parse_vrf_record(data: bytes) -> object:
    from vrf.record import ProofRecord, verify_record

    return verify_record(ProofRecord.from_bytes(data))


def _fee_answer(data: bytes) -> object:
    from toolkit.sources.feesources import positive_rate
    from toolkit.sources.http import parse_json

    answer = parse_json(data, "fuzz")
    if isinstance(answer, dict):
        rate = positive_rate(answer.get("halfHourFee"), "halfHourFee")
        return rate * 100_000  # as bitcoind's BTC/kvB is converted
    return answer


def _checkpoints(data: bytes) -> object:
    from toolkit.chain.checkpoints import parse_checkpoints
    from toolkit.core.canonical_json import strict_loads

    return parse_checkpoints(strict_loads(data, what="checkpoints"))


def _checkpoint_seeds() -> list[bytes]:
    """The packaged table cut to a few entries per network (each entry's
    checks are the same; a short seed keeps the bounded run fast)."""
    import toolkit.chain

    doc = json.loads((Path(toolkit.chain.__file__).parent.parent / "data" / "checkpoints.json").read_bytes())
    doc["networks"] = {name: entries[:3] for name, entries in doc["networks"].items()}
    return [json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()]


def _brotli(data: bytes) -> object:
    from inscriptions.batch.brotli_stream import inflate_stream

    return list(inflate_stream(data, max_size=1 << 16))


def _brotli_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted((_brotli_batch_dir() / "shards").iterdir())[:3]]


def _gzip(data: bytes) -> object:
    from inscriptions.batch.gzip_member import parse_member

    return parse_member(data, max_size=1 << 16)


def _compact(data: bytes) -> object:
    from toolkit.chain.compact import decode_compact, target_from_compact

    bits = int.from_bytes(data[:4], "little")  # nBits is a header field: 32 bits
    decode_compact(bits)
    return target_from_compact(bits)


def _header_stream(data: bytes) -> object:
    from toolkit.chain.headerfile import parse_header_stream

    cut = len(data) // 3
    return list(parse_header_stream([data[:cut], data[cut:]]))


# --- plan-directory state, funding, draws ------------------------------------------


def _index_seeds() -> list[bytes]:
    from inscriptions.plans.index import InscriptionIndex

    empty = InscriptionIndex.empty("signet", b"\x11" * 32, 3, b"\x22" * 32)
    return [empty.to_bytes(), empty.with_ids("ab" * 32 + "i0", {0: "cd" * 32 + "i1", 2: "cd" * 32 + "i2"}).to_bytes()]


def _in_scratch(name: str, data: bytes) -> Path:
    d = _plan_scratch()
    (d / name).write_bytes(data)
    return d


@functools.cache
def _plan_scratch() -> Path:
    shm = Path("/dev/shm")
    return _scratch(dir=shm if shm.is_dir() else None)


def _state(data: bytes) -> object:
    from inscriptions.plans.state import STATE_NAME, load_state

    return load_state(_in_scratch(STATE_NAME, data))


def _state_seeds() -> list[bytes]:
    from inscriptions.plans.state import Attempt, state_bytes

    a = Attempt(0, "ab" * 32, "bitcoind:http://127.0.0.1:1", "sendrawtransaction", "accepted", "ok", "2026-01-02T03:04:05Z")
    return [state_bytes([a, a.answered("rejected", "txn-mempool-conflict")])]


def _funding_record(data: bytes) -> object:
    from inscriptions.plans.revealstore import read_funding_record

    return read_funding_record(_in_scratch("g0.json", data) / "g0.json")


def _funding_record_seeds() -> list[bytes]:
    from inscriptions.plans.revealstore import funding_record
    from inscriptions.transactions.txbuild import Funding

    return [funding_record(0, Funding("ab" * 32, 1, 50_000))]


def _funding_tx(data: bytes) -> object:
    from inscriptions.plans.funding import match_funding_tx, parse_funding_tx_text
    from inscriptions.plans.planfile import load_plan

    plan, _secret = load_plan(_plan_dir())
    return match_funding_tx(parse_funding_tx_text(data), plan)


def _funding_tx_seeds() -> list[bytes]:
    """A transaction paying group 0 of the fuzz plan exactly (built like tests/test_rawtx.py's)."""
    from inscriptions.plans.planfile import load_plan
    from inscriptions.transactions.taproot import commit, tapleaf_hash, xonly_public_key
    from inscriptions.transactions.txbuild import Funding, sign_reveal

    plan, _secret = load_plan(_plan_dir())
    g = plan.groups[0]
    secret = hashlib.sha256(b"fuzz-funding").digest()
    key = xonly_public_key(secret)
    script = b"\x20" + key + b"\xac"
    tx = sign_reveal(secret, commit(key, tapleaf_hash(script)), script, Funding("cd" * 32, 0, 10**8), [(g.script_pubkey, g.fund_sats)])
    return [tx.raw.hex().encode()]


def _draw_receipt_seeds() -> list[bytes]:
    from tests.conftest import CliResult
    from tests.drawkit import GOLDEN, make_draw
    from toolkit.cli import run

    def enoch(*args: object) -> CliResult:
        return CliResult(run([str(a) for a in args]), "", "")

    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):  # the CLI's report
        _request, receipt = make_draw(enoch, _scratch(), GOLDEN[0])
    return [receipt.read_bytes()]


def _entrants_seeds() -> list[bytes]:
    from tests.drawkit import ENTRANTS

    return [ENTRANTS.read_bytes(), b"a\r\nb\r\n"]


def _draw_request_seeds() -> list[bytes]:
    from tests.drawkit import GOLDEN
    from toolkit.core.canonical_json import canonical_dumps

    return [canonical_dumps(v["request"]) + b"\n" for v in GOLDEN[:3]]


def _targets() -> list[Target]:
    from inscriptions.batch.batch_id import parse_batch_id
    from inscriptions.batch.content_types import parse_override
    from inscriptions.batch.manifest import Manifest
    from inscriptions.batch.proof_file import InclusionProof
    from inscriptions.batch.relpath import check_relative_path
    from inscriptions.transactions.decode import decode_tx, describe
    from inscriptions.plans.funding import parse_funding
    from inscriptions.plans.index import InscriptionIndex
    from toolkit.draws.entrants import parse_entrants
    from toolkit.draws.receipt import DrawReceipt
    from toolkit.draws.request import DrawRequest
    from inscriptions.transactions.envelope import parse_tapscript
    from inscriptions.transactions.fees import parse_rate
    from inscriptions.transactions.metadata import InscriptionMetadata
    from inscriptions.transactions.network import parse_address
    from inscriptions.transactions.rawtx import parse_tx
    from toolkit.chain.header import BlockHeader, parse_headers
    from toolkit.core.canonical_json import strict_loads
    from toolkit.core.hexutil import block_hash_internal_from_display, parse_hex
    from vrf.keys import KeyPair

    def decoded(data: bytes) -> object:
        return [describe(e) for e in decode_tx(data).envelopes]

    return [
        Target("manifest", Manifest.from_bytes, _manifest_seeds, json_seeds=True),
        Target("inclusion-proof", InclusionProof.from_bytes, _proof_seeds, json_seeds=True),
        Target("plan-file", _load_plan, _plan_seeds, json_seeds=True),
        Target("batch-secret", lambda d: _load_plan(d, "batch-secret.json"), _secret_seeds, json_seeds=True),
        Target("raw-tx", parse_tx, _tx_seeds),
        Target("decode-tx", decoded, _tx_seeds),
        Target("envelope", parse_tapscript, _envelope_seeds),
        Target("cbor-metadata", InscriptionMetadata.from_bytes, _metadata_seeds),
        Target("gzip-member", _gzip, _shard_seeds),
        Target("brotli-stream", _brotli, _brotli_seeds),
        Target("header", BlockHeader.from_bytes, _header_seeds),
        Target("header-hex", lambda d: BlockHeader.from_hex(text(d)), lambda: [h.hex().encode() for h in _header_seeds()]),
        Target("header-file", parse_headers, _header_file_seeds),
        Target("header-stream", _header_stream, _header_file_seeds),
        Target("checkpoints", _checkpoints, _checkpoint_seeds, json_seeds=True),
        Target("vrf-key", KeyPair.from_bytes, _vrf_key_seeds, json_seeds=True),
        Target("vrf-proof", _parse_vrf_record, _vrf_record_seeds, json_seeds=True),
        Target("canonical-json", lambda d: strict_loads(d), _manifest_seeds, json_seeds=True),
        Target("hex", lambda d: parse_hex(text(d), what="hex", length=None), lambda: [b"00ff", b"ABCDEF"]),
        Target("block-hash", lambda d: block_hash_internal_from_display(text(d)), lambda: [b"00" * 32]),
        Target("compact-nbits", _compact, lambda: [bytes.fromhex("ffff001d"), bytes.fromhex("ff3f0218")]),
        Target("fee-answer", _fee_answer, lambda: [b'{"fastestFee":12,"halfHourFee":10.5,"hourFee":8}'], json_seeds=True),
        Target("fee-rate-option", lambda d: parse_rate(text(d)), lambda: [b"1.25", b"5"]),
        Target("address", lambda d: parse_address(text(d), "signet"), lambda: [b"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"]),
        Target("stored-path", lambda d: check_relative_path(text(d)), lambda: [b"a/b.txt", "caf\u00e9/x".encode()]),
        Target("content-type-option", lambda d: parse_override(text(d)), lambda: [b"*.txt=text/plain;charset=utf-8"]),
        Target("batch-id", lambda d: parse_batch_id(text(d)), lambda: [b"00" * 32]),
        Target("inscription-index", InscriptionIndex.from_bytes, _index_seeds, json_seeds=True),
        Target("broadcast-state", _state, _state_seeds, json_seeds=True),
        Target("funding-record", _funding_record, _funding_record_seeds, json_seeds=True),
        Target("funding-option", lambda d: parse_funding(text(d)), lambda: [("0=" + "ab" * 32 + ":1:50000").encode()]),
        Target("funding-tx", _funding_tx, _funding_tx_seeds),
        Target("draw-entrants", parse_entrants, _entrants_seeds),
        Target("draw-request", DrawRequest.from_bytes, _draw_request_seeds, json_seeds=True),
        Target("draw-receipt", DrawReceipt.from_bytes, _draw_receipt_seeds, json_seeds=True),
    ]


TARGETS: dict[str, Target] = {t.name: t for t in _targets()}
