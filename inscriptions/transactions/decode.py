"""``enoch inscribe decode``: the inscriptions in a transaction, optionally
checked against a batch manifest.

Each envelope found by ord's rules is listed with its content type and
encoding, body size and SHA-256, pointer, metadata and ord's flags.  With a
manifest, every body must be the manifest itself or the exact bytes of one of
its shards (RFC 9162 leaf hash listed in the manifest), with the content
encoding the manifest's compressor names (none for the manifest); when the envelope
carries enoch metadata, its root, tree size and shard index must agree too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from inscriptions.transactions.envelope import ParsedEnvelope, decode_pointer, parse_witnesses
from inscriptions.batch.manifest import Manifest
from inscriptions.transactions.metadata import InscriptionMetadata
from inscriptions.transactions.rawtx import Tx, parse_tx
from inscriptions.batch.rfc9162 import leaf_hash
from toolkit.core.errors import MalformedInputError, VerificationError


def _text(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + value.hex()


def _metadata(value: bytes | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        meta = InscriptionMetadata.from_bytes(value)
    except MalformedInputError:
        return {"raw": value.hex()}
    return {"root": meta.root.hex(), "tree_size": meta.tree_size, "shard": meta.shard, "manifest": meta.is_manifest}


def describe(env: ParsedEnvelope) -> dict[str, Any]:
    """The JSON description of one envelope (what ``decode`` lists)."""
    ins = env.inscription
    body = ins.body or b""
    flags = [
        name
        for name in ("incomplete_field", "duplicate_field", "unrecognized_even_field", "pushnum", "stutter")
        if getattr(env, name)
    ]
    return {
        "input": env.input,
        "offset": env.offset,
        "content_type": _text(ins.content_type),
        "content_encoding": _text(ins.content_encoding),
        "size": len(body),
        "has_body": ins.body is not None,
        "sha256": hashlib.sha256(body).hexdigest(),
        "pointer": None if ins.pointer is None else decode_pointer(ins.pointer),
        "metadata": _metadata(ins.metadata),
        "flags": flags,
    }


@dataclass(frozen=True)
class Decoded:
    """A parsed transaction and the envelopes found in its witnesses."""

    tx: Tx
    envelopes: list[ParsedEnvelope]


def decode_tx(raw: bytes) -> Decoded:
    """Parse ``raw`` strictly and find its inscription envelopes."""
    tx = parse_tx(raw)
    return Decoded(tx, parse_witnesses(tx.witnesses))


def check_against_manifest(decoded: Decoded, manifest: Manifest, manifest_bytes: bytes) -> list[str]:
    """What each inscription is in the batch ("manifest" / "shard N");
    raises VerificationError naming the first one that does not belong."""
    if not decoded.envelopes:
        raise VerificationError("the transaction carries no inscriptions")
    # Identical chunks (duplicate files, empty files) give identical shards:
    # one body can be several leaves, and its metadata picks which one.
    leaves: dict[bytes, list[int]] = {}
    for s in manifest.shards:
        leaves.setdefault(s.leaf_hash, []).append(s.index)
    roles: list[str] = []
    for env in decoded.envelopes:
        name = f"inscription {env.input}:{env.offset}"
        body = env.inscription.body
        if body is None:
            raise VerificationError(f"{name} has no body")
        is_manifest = body == manifest_bytes
        candidates = [] if is_manifest else leaves.get(leaf_hash(body), [])
        if not is_manifest and not candidates:
            raise VerificationError(
                f"{name} (body SHA-256 {hashlib.sha256(body).hexdigest()}) is neither a shard of batch "
                f"{manifest.root.hex()} nor its manifest"
            )
        shard = None if is_manifest else candidates[0]
        # The manifest says how its shards are encoded (gzip or br): a shard
        # inscribed with another encoding would be served undecodable.
        want = None if is_manifest else manifest.content_encoding.encode()
        if env.inscription.content_encoding != want:
            raise VerificationError(
                f"{name}: content encoding {_text(env.inscription.content_encoding)!r}, the batch's "
                f"{'manifest has none' if want is None else 'shards are ' + repr(want.decode())}"
            )
        if env.inscription.metadata is not None:
            try:
                meta = InscriptionMetadata.from_bytes(env.inscription.metadata)
            except MalformedInputError as exc:
                raise VerificationError(f"{name}: metadata is not enoch metadata ({exc.message})") from None
            if (meta.root, meta.tree_size) != (manifest.root, manifest.tree_size) or (
                meta.shard is not None if is_manifest else meta.shard not in candidates
            ):
                raise VerificationError(f"{name}: metadata names a different batch position than its body")
            shard = meta.shard
        roles.append("manifest" if shard is None else f"shard {shard}")
    return roles
