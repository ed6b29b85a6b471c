"""The batch manifest (enoch-batch/1) and proof files (enoch-inclusion-proof/1):
strict parsing, canonical round trips, paths, content types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inscriptions.batch.content_types import content_type_for, parse_override
from inscriptions.batch.inputs import collect_inputs
from inscriptions.batch.manifest import Manifest
from inscriptions.batch.pack import pack_files
from inscriptions.batch.proof_file import InclusionProof
from inscriptions.batch.relpath import check_relative_path, safe_join
from tests.batchutil import flip_hex, make_tree
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError, UsageError, VerificationError


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = make_tree(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("b") / "batch"
    pack_files(collect_inputs([src]), out, shard_size=4096, jobs=1)
    return out


def doc(batch: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((batch / "manifest.json").read_bytes())
    return loaded


def test_round_trip(batch: Path) -> None:
    raw = (batch / "manifest.json").read_bytes()
    m = Manifest.from_bytes(raw)
    assert m.to_bytes() == raw
    assert canonical_dumps(json.loads(raw)) == raw
    assert json.loads(raw)["format"] == "enoch-batch/1"
    assert m.tree_size == len(m.shards) > 4
    assert [f.path for f in m.files] == ["a.json", "empty.txt", "img/noise.bin", "\u00fcber/\u2713 caf\u00e9.html"]


def test_no_timestamps_or_absolute_paths(batch: Path) -> None:
    text = (batch / "manifest.json").read_text(encoding="utf-8")
    for word in ("time", "date", "mtime", str(batch.parent)):
        assert word not in text


def test_file_for_shard(batch: Path) -> None:
    m = Manifest.from_bytes((batch / "manifest.json").read_bytes())
    for s in m.shards:
        assert m.file_for_shard(s.index).path == s.file
    with pytest.raises(VerificationError):
        m.file_for_shard(m.tree_size)


def reparse(d: dict[str, Any]) -> Manifest:
    return Manifest.from_bytes(canonical_dumps(d))


MALFORMED = {
    "unknown top key": lambda d: d.update(extra=1),
    "unknown file key": lambda d: d["files"][0].update(mtime=0),
    "unknown shard key": lambda d: d["shards"][0].update(note="x"),
    "unknown compressor key": lambda d: d["compressor"].update(x=1),
    "missing root": lambda d: d.pop("root"),
    "wrong format": lambda d: d.update(format="enoch-batch/2"),
    "no format": lambda d: d.pop("format"),
    "uppercase hex": lambda d: d.update(root=d["root"].upper()),
    "short root": lambda d: d.update(root=d["root"][:62]),
    "string size": lambda d: d["files"][0].update(size="12"),
    "bool index": lambda d: d["shards"][0].update(index=False),
    "negative offset": lambda d: d["shards"][1].update(offset=-1),
    "files not a list": lambda d: d.update(files={}),
    "bad content type": lambda d: d["files"][0].update(content_type="Text/HTML"),
    "traversal": lambda d: d["files"][0].update(path="../evil.json"),
    "absolute": lambda d: d["files"][0].update(path="/etc/passwd"),
    "inner dotdot": lambda d: d["files"][0].update(path="a/../../b"),
    "dot component": lambda d: d["files"][0].update(path="./a.json"),
    "empty component": lambda d: d["files"][0].update(path="a//b"),
    "backslash": lambda d: d["files"][0].update(path="..\\evil"),
    "control char": lambda d: d["files"][0].update(path="a\nb"),
    "shard file traversal": lambda d: d["shards"][0].update(file="../a.json"),
    # SPEC I fixes the deflate parameters of format 1; the record must say so.
    "compressor name": lambda d: d["compressor"].update(name="brotli"),
    "compressor version empty": lambda d: d["compressor"].update(version=""),
    "compressor version control": lambda d: d["compressor"].update(version="1.2\nevil"),
    "compressor version prose": lambda d: d["compressor"].update(version="x"),
    "compressor version long": lambda d: d["compressor"].update(version="1" * 65),
    "compressor level": lambda d: d["compressor"].update(level=6),
    "compressor wbits": lambda d: d["compressor"].update(wbits=15),
    "compressor mem_level": lambda d: d["compressor"].update(mem_level=9),
    "compressor strategy": lambda d: d["compressor"].update(strategy="filtered"),
    "compressor negative level": lambda d: d["compressor"].update(level=-1),
}


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[]", b"\xff", b'{"format":"enoch-batch/1","format":"x"}', b'{"a":1.5}'],
    ids=["empty", "truncated", "array", "not-utf8", "duplicate-key", "float"],
)
def test_not_a_manifest(raw: bytes) -> None:
    with pytest.raises(MalformedInputError):
        Manifest.from_bytes(raw)


def test_non_canonical_bytes_rejected(batch: Path) -> None:
    raw = (batch / "manifest.json").read_bytes()
    for variant in (raw + b"\n", json.dumps(json.loads(raw), indent=1).encode(), b" " + raw):
        with pytest.raises(MalformedInputError, match="canonical"):
            Manifest.from_bytes(variant)


INCONSISTENT = {
    "root": lambda d: d.update(root=flip_hex(d["root"])),
    "leaf hash": lambda d: d["shards"][0].update(leaf_hash=flip_hex(d["shards"][0]["leaf_hash"])),
    "tree size": lambda d: d.update(tree_size=d["tree_size"] + 1),
    "file size": lambda d: d["files"][0].update(size=d["files"][0]["size"] + 1),
    "shard offset": lambda d: d["shards"][1].update(offset=d["shards"][1]["offset"] + 1),
    "shard index": lambda d: d["shards"][1].update(index=7),
    "shard owner": lambda d: d["shards"][0].update(file="empty.txt"),
    "shard count": lambda d: d["files"][0].update(shard_count=d["files"][0]["shard_count"] + 1),
    "unsorted files": lambda d: d["files"].reverse(),
    "gz size over limit": lambda d: d.update(shard_size=100),
    "empty file with two shards": lambda d: (
        d["files"][1].update(shard_count=2),
        d["shards"].insert(d["files"][1]["first_shard"], dict(d["shards"][d["files"][1]["first_shard"]])),
        d.update(tree_size=d["tree_size"] + 1),
    ),
    "dropped shard": lambda d: (d["shards"].pop(), d.update(tree_size=d["tree_size"] - 1)),
    "shard size claimed larger": lambda d: d.update(shard_size=2 * d["shard_size"]),
}


# Syntax errors are malformed input (exit 65); well-formed manifests whose
# parts disagree fail verification (exit 1).
# The check each inconsistency must trip (not merely some later one).
TRIPS = {
    "root": "root is not the Merkle tree hash",
    "leaf hash": "root is not the Merkle tree hash",
    "tree size": "tree_size",
    "file size": "shards cover",
    "shard offset": "offset",
    "shard index": "listed with index",
    "shard owner": "names file",
    "shard count": "under 99% of the shard size limit",
    "unsorted files": "not sorted",
    "gz size over limit": "exceeds the shard size limit",
    "empty file with two shards": "is empty but has 2 shards",
    "dropped shard": "runs past the last shard",
    "shard size claimed larger": "shard 000000: gz_size 40[0-9][0-9] is under 99% of the shard size limit 8192",
}
BAD_MANIFESTS = [pytest.param(c, MalformedInputError, None, id=f"malformed-{k}") for k, c in MALFORMED.items()] + [
    pytest.param(c, VerificationError, TRIPS[k], id=f"inconsistent-{k}") for k, c in INCONSISTENT.items()
]


@pytest.mark.parametrize(("change", "error", "match"), BAD_MANIFESTS)
def test_bad_manifest_rejected(batch: Path, change: Any, error: type[Exception], match: str | None) -> None:
    d = doc(batch)
    change(d)
    with pytest.raises(error, match=match):
        reparse(d)


def test_zlib_ng_record_accepted(batch: Path) -> None:
    d = doc(batch)
    d["compressor"].update(name="zlib-ng", version="2.1.6")
    assert reparse(d).compressor.describe().startswith("zlib-ng")  # verifiable; only --reproduce refuses it


def test_path_conflict_rejected(batch: Path) -> None:
    d = doc(batch)
    d["files"][2]["path"] = "empty.txt/x"  # "empty.txt" is a file and a directory
    for s in d["shards"]:
        if s["file"] == "img/noise.bin":
            s["file"] = "empty.txt/x"
    with pytest.raises(VerificationError, match="both a file and a directory"):
        reparse(d)


def test_proof_file_round_trip_and_strictness(batch: Path) -> None:
    raw = (batch / "proofs" / "000001.json").read_bytes()
    proof = InclusionProof.from_bytes(raw)
    assert proof.to_bytes() == raw
    assert proof.leaf_index == 1
    d = json.loads(raw)
    assert set(d) == {"format", "hash", "leaf_index", "tree_size", "leaf_hash", "audit_path"}  # no root
    bad: list[dict[str, Any]] = [
        {**d, "root": d["leaf_hash"]},
        {**d, "format": "enoch-inclusion-proof/2"},
        {**d, "hash": "sha512"},
        {**d, "audit_path": [h.upper() for h in d["audit_path"]]},
        {**d, "audit_path": [d["leaf_hash"][:-2]]},
        {**d, "audit_path": [d["leaf_hash"]] * 65},
        {**d, "tree_size": 0},
    ]
    for variant in bad:
        with pytest.raises(MalformedInputError):
            InclusionProof.from_bytes(canonical_dumps(variant))
    with pytest.raises(MalformedInputError):
        InclusionProof.from_bytes(raw + b" ")


@pytest.mark.parametrize("path", ["a", "a/b.txt", "\u00e9/\u2713 x.json", ".hidden", "a..b", "..."])
def test_good_relative_paths(path: str, tmp_path: Path) -> None:
    assert check_relative_path(path) == path
    assert tmp_path in safe_join(tmp_path, path).parents


@pytest.mark.parametrize("path", ["", "..", "../a", "a/..", "/a", "a//b", "a/", "./a", "a\\b", "a\x00b", "a\x7fb", "\ud800"])
def test_bad_relative_paths(path: str, tmp_path: Path) -> None:
    with pytest.raises(MalformedInputError):
        check_relative_path(path)
    with pytest.raises(MalformedInputError):
        safe_join(tmp_path, path)


def test_content_types_from_fixed_table() -> None:
    assert content_type_for("index.html") == "text/html;charset=utf-8"
    assert content_type_for("a/b/levels.JSON") == "application/json"
    assert content_type_for("x.png") == "image/png"
    assert content_type_for("README") == "application/octet-stream"
    assert content_type_for(".json") == "application/octet-stream"  # a dotfile, no extension
    assert content_type_for("x.unknownext") == "application/octet-stream"


def test_content_type_overrides_first_match_wins() -> None:
    overrides = [parse_override("art/*.bin=image/png"), parse_override("*.bin=audio/mpeg")]
    assert content_type_for("art/noise.bin", overrides) == "image/png"
    assert content_type_for("snd/a.bin", overrides) == "audio/mpeg"
    assert content_type_for("a.txt", overrides) == "text/plain;charset=utf-8"


@pytest.mark.parametrize("spec", ["*.bin", "=image/png", "*.bin=", "*.bin=image", "*.bin=Image/PNG", "*.x=a b/c"])
def test_bad_content_type_override(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_override(spec)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["shards"][1].update(offset=-1), "shards[1]: offset must be at least 0"),
        (lambda d: d["files"][2].update(sha256="AB" * 32), "files[2]: sha256 must be 64 lowercase hex digits"),
        (lambda d: d["files"][1].update(mtime=0), "files[1]: unknown key 'mtime'"),
        (lambda d: d["compressor"].update(level="9"), "compressor: level must be an integer"),
    ],
)
def test_malformed_field_names_its_entry(batch: Path, change: Any, named: str) -> None:
    d = doc(batch)
    change(d)
    with pytest.raises(MalformedInputError) as info:
        reparse(d)
    assert info.value.message == named or info.value.message.startswith(named)
