"""What ``reveal`` and ``bump`` keep in the plan directory, and reading it back.

Layout (all files written atomically, never replaced)::

    fundings/group-GGGG-TXID-VOUT.json   {"format": "enoch-funding/1", "group", "txid", "vout", "sats"}
    reveals/group-GGGG-TXID-VOUT.hex     version 1: the reveal signed at the plan's rate
    reveals/group-GGGG-TXID-VOUT.vK.hex  version K >= 2: fee bumps (``enoch inscribe bump``)
    index.json                           inscription ids (:mod:`inscriptions.plans.index`)

The funding record is written before the first reveal of an outpoint, so
``bump`` (and ``broadcast``/``status``) know the outpoint and its amount
without re-typing.  Plans revealed by earlier versions have reveal files but
no funding records: their amount is derived from the version-1 file (its
outputs plus its fee at the plan's rate).  Every file is read with
:func:`~inscriptions.plans.plandir.read_plan_file` (regular files
only, bounded).  Callers hold :func:`~inscriptions.plans.plandir.plan_lock`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from inscriptions.schema import int_field, load_versioned, parse_lower_hex, str_field
from inscriptions.transactions.fees import fee_for
from inscriptions.plans.index import INDEX_NAME, InscriptionIndex, inscription_id
from inscriptions.plans.plan import MAX_MONEY, Plan, PlannedGroup
from inscriptions.plans.plandir import read_plan_file
from inscriptions.transactions.rawtx import Tx, parse_tx
from inscriptions.transactions.txbuild import Funding, SignedTx
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError, OutputExistsError
from toolkit.core.fsio import atomic_write, display_path, fsync_dir, output_errors
from toolkit.core.hexutil import parse_hex

REVEALS_DIR = "reveals"
FUNDINGS_DIR = "fundings"
FUNDING_FORMAT = "enoch-funding/1"
#: A transaction is at most 4,000,000 WU, so at most 4,000,000 bytes: 8,000,000 hex digits and a newline.
MAX_TX_FILE = 2 * 4_000_000 + 1
MAX_RECORD_FILE = 4096
_REVEAL_NAME = re.compile(r"group-([0-9]{4,10})-([0-9a-f]{64})-([0-9]{1,10})(?:\.v([0-9]{1,9}))?\.hex")


def stem(group: int, funding: Funding) -> str:
    """``group-GGGG-TXID-VOUT``: the name shared by an outpoint's files."""
    return f"group-{group:04d}-{funding.txid}-{funding.vout}"


def reveal_path(plan_dir: Path, group: int, funding: Funding, version: int = 1) -> Path:
    """Where version ``version`` of a group's reveal from ``funding`` is kept."""
    suffix = ".hex" if version == 1 else f".v{version}.hex"
    return plan_dir / REVEALS_DIR / (stem(group, funding) + suffix)


def funding_path(plan_dir: Path, group: int, funding: Funding) -> Path:
    """The funding record of ``funding``."""
    return plan_dir / FUNDINGS_DIR / (stem(group, funding) + ".json")


def funding_record(group: int, funding: Funding) -> bytes:
    """Canonical bytes of a funding record."""
    doc = {"format": FUNDING_FORMAT, "group": group, "txid": funding.txid, "vout": funding.vout, "sats": funding.sats}
    return canonical_dumps(doc) + b"\n"


def read_funding_record(path: Path) -> tuple[int, Funding]:
    """Parse a funding record strictly."""
    data = read_plan_file(path, what="funding record", limit=MAX_RECORD_FILE)
    o = load_versioned(data, display_path(path), FUNDING_FORMAT, {"format", "group", "txid", "vout", "sats"})
    group, vout, sats = int_field(o, "group"), int_field(o, "vout"), int_field(o, "sats", minimum=1)
    txid = parse_lower_hex(str_field(o, "txid"), "txid", 32).hex()
    if group >= 2**32 or vout >= 2**32 or sats > MAX_MONEY:
        raise MalformedInputError(f"{display_path(path)}: group, vout or sats out of range")
    if funding_record(group, Funding(txid, vout, sats)) != data:
        raise MalformedInputError(f"{display_path(path)} is not in canonical form")
    return group, Funding(txid, vout, sats)


def read_tx_file(path: Path) -> bytes:
    """The raw transaction stored (as hex) in ``path``."""
    text = read_plan_file(path, what="stored reveal", limit=MAX_TX_FILE)
    return parse_hex(text.decode("ascii", "replace").strip(), what=f"stored reveal {display_path(path)}")


def store_once(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` unless the very same bytes are there; any
    other content is refused (a signed transaction is never replaced)."""
    with output_errors(path):
        if not path.parent.is_dir():
            if os.path.lexists(path.parent):
                raise OutputExistsError(f"{display_path(path.parent)} exists and is not a directory")
            path.parent.mkdir()
            fsync_dir(path.parent.parent)
    if os.path.lexists(path):
        if read_plan_file(path, what="stored file", limit=max(len(data), MAX_RECORD_FILE)) != data:
            raise OutputExistsError(
                f"{display_path(path)} holds different content; nothing was replaced (delete it only if you are sure "
                "it was never broadcast)"
            )
        return
    try:
        atomic_write(path, data, mode=mode)
    except OutputExistsError:  # appeared meanwhile (a writer without the lock): same bytes are fine
        if read_plan_file(path, what="stored file", limit=max(len(data), MAX_RECORD_FILE)) != data:
            raise OutputExistsError(f"{display_path(path)} was written by another process with different content") from None


def versions(plan_dir: Path, group: int, funding: Funding) -> list[int]:
    """The version numbers stored for ``funding`` (ascending; [] if none)."""
    prefix = stem(group, funding)
    found = []
    for name in _listdir(plan_dir / REVEALS_DIR):
        m = _REVEAL_NAME.fullmatch(name)
        if m and name.startswith(prefix + "."):
            version = int(m[4] or 1)
            if reveal_path(plan_dir, group, funding, version).name == name:  # canonical names only
                found.append(version)
    return sorted(found)


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise MalformedInputError(f"{display_path(path)} is not a directory") from None
    except OSError as exc:
        raise MalformedInputError(f"cannot list {display_path(path)}: {exc.strerror}") from None


def signed_amount(plan: Plan, raw: bytes) -> int:
    """The commit amount a version-1 reveal was signed for: its outputs plus
    its fee at the plan's rate (earlier versions recorded no amount)."""
    tx = parse_tx(raw)
    return sum(value for value, _ in tx.outputs) + fee_for(plan.fee_rate, (tx.weight + 3) // 4)


def recorded_fundings(plan_dir: Path, plan: Plan, group: int | None = None) -> list[tuple[int, Funding]]:
    """Every outpoint the plan directory knows, as (group, funding), from the
    funding records and from version-1 reveals of earlier versions without one."""
    out: dict[tuple[int, str, int], Funding] = {}
    for name in _listdir(plan_dir / FUNDINGS_DIR):
        if name.startswith("group-") and name.endswith(".json"):
            g, f = read_funding_record(plan_dir / FUNDINGS_DIR / name)
            if funding_path(plan_dir, g, f).name != name or g >= len(plan.groups):
                raise MalformedInputError(f"{FUNDINGS_DIR}/{name} does not match its name or the plan")
            out[(g, f.txid, f.vout)] = f
    for name in _listdir(plan_dir / REVEALS_DIR):
        m = _REVEAL_NAME.fullmatch(name)
        if not m or m[4] is not None:
            continue
        key = (int(m[1]), m[2], int(m[3]))
        if key not in out and key[0] < len(plan.groups):
            raw = read_tx_file(plan_dir / REVEALS_DIR / name)
            out[key] = Funding(key[1], key[2], signed_amount(plan, raw))
    return [(g, f) for (g, _, _), f in sorted(out.items()) if group is None or g == group]


@dataclass(frozen=True)
class InscriptionRef:
    """One inscription of a reveal: its ord id and leaf index (``None``: the manifest)."""

    id: str
    leaf: int | None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": "manifest" if self.leaf is None else "shard", "leaf": self.leaf}


def inscription_refs(group: PlannedGroup, txid: str) -> tuple[InscriptionRef, ...]:
    """The ids a reveal of ``group`` with ``txid`` gives: envelope ``n`` of
    input 0 is ``<txid>i<n>`` (the group's items, in order)."""
    return tuple(InscriptionRef(inscription_id(txid, n), item.shard) for n, item in enumerate(group.items))


@dataclass(frozen=True)
class StoredReveal:
    """A signed reveal as kept in the plan directory (no transaction bytes:
    read them from ``path`` when needed)."""

    group: int
    funding: Funding
    version: int
    path: Path
    txid: str
    weight: int
    fee_sats: int
    change_sats: int
    inscriptions: tuple[InscriptionRef, ...]

    @property
    def vsize(self) -> int:
        return (self.weight + 3) // 4


def describe(plan: Plan, group: PlannedGroup, funding: Funding, version: int, path: Path, tx: Tx | SignedTx) -> StoredReveal:
    """The :class:`StoredReveal` of a transaction (parsed, or just signed)."""
    parsed = tx if isinstance(tx, Tx) else parse_tx(tx.raw)
    outputs = sum(value for value, _ in parsed.outputs)
    change = sum(value for value, _ in parsed.outputs[len(group.items) :])
    return StoredReveal(
        group.group, funding, version, path, parsed.txid, parsed.weight, funding.sats - outputs, change,
        inscription_refs(group, parsed.txid),
    )  # fmt: skip


def load_stored(plan_dir: Path, plan: Plan, group: int, funding: Funding, version: int) -> StoredReveal:
    """Read one stored version back (its bytes are parsed strictly)."""
    path = reveal_path(plan_dir, group, funding, version)
    tx = parse_tx(read_tx_file(path))
    if len(tx.inputs) != 1 or (tx.inputs[0].txid, tx.inputs[0].vout) != (funding.txid, funding.vout):
        raise MalformedInputError(f"{display_path(path)} does not spend {funding.txid}:{funding.vout}")
    return describe(plan, plan.groups[group], funding, version, path, tx)


def signed_reveals(plan_dir: Path, plan: Plan) -> list[StoredReveal]:
    """Every signed reveal of the plan, all versions, by (group, outpoint,
    version); for ``broadcast``, ``status`` and ``extract``."""
    out: list[StoredReveal] = []
    for group, funding in recorded_fundings(plan_dir, plan):
        out.extend(load_stored(plan_dir, plan, group, funding, v) for v in versions(plan_dir, group, funding))
    return out


def update_index(plan_dir: Path, plan: Plan, reveals: Iterable[StoredReveal]) -> InscriptionIndex:
    """Merge the ids of ``reveals`` into ``PLAN/index.json`` (atomically);
    ids of other groups already there are kept."""
    path = plan_dir / INDEX_NAME
    index = InscriptionIndex.empty(plan.network, plan.root, plan.tree_size, plan.manifest_sha256)
    if os.path.lexists(path):
        index = _read_index(path, plan)
    for r in reveals:
        manifest = next((i.id for i in r.inscriptions if i.leaf is None), None)
        index = index.with_ids(manifest, {i.leaf: i.id for i in r.inscriptions if i.leaf is not None})
    with output_errors(path):
        atomic_write(path, index.to_bytes(), overwrite=True)
    return index


def _read_index(path: Path, plan: Plan) -> InscriptionIndex:
    index = InscriptionIndex.from_bytes(read_plan_file(path, what="index", limit=_index_limit(plan.tree_size)))
    if (index.network, index.root, index.tree_size, index.manifest_sha256) != (
        plan.network, plan.root, plan.tree_size, plan.manifest_sha256,
    ):  # fmt: skip
        raise MalformedInputError(f"{display_path(path)} belongs to another batch or network than plan.json")
    return index


def checked_index(plan_dir: Path, plan: Plan) -> InscriptionIndex:
    """``PLAN/index.json``, checked against the plan directory: same batch and
    network as plan.json, and every id one that a signed reveal in
    ``reveals/`` inscribes at that leaf (what a loader page is wired to must
    not rest on an editable cache alone)."""
    path = plan_dir / INDEX_NAME
    index = _read_index(path, plan)
    signed = {(i.leaf, i.id) for r in signed_reveals(plan_dir, plan) for i in r.inscriptions}
    named = [(None, index.manifest_id), *enumerate(index.leaves)]
    for leaf, ident in named:
        if ident is not None and (leaf, ident) not in signed:
            where = "the manifest" if leaf is None else f"leaf {leaf}"
            raise MalformedInputError(f"{display_path(path)}: {ident} for {where} is not inscribed there by any signed reveal of this plan")
    return index


def _index_limit(tree_size: int) -> int:
    return 512 + 80 * (tree_size + 1)  # an id is 64 + 1 + up to 10 characters, quoted, with a comma: <= 78


def iter_latest(plan_dir: Path, plan: Plan) -> Iterator[StoredReveal]:
    """The latest version of every recorded outpoint's reveal."""
    for group, funding in recorded_fundings(plan_dir, plan):
        found = versions(plan_dir, group, funding)
        if found:
            yield load_stored(plan_dir, plan, group, funding, found[-1])
