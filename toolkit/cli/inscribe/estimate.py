"""``enoch inscribe estimate``: groups, total vbytes and total fee of a batch,
writing nothing (thin click layer)."""

from __future__ import annotations

from pathlib import Path

import click

from inscriptions.plans.estimate import P2TR_SCRIPT, estimate_batch
from inscriptions.transactions.fees import fmt_rate, parse_rate
from inscriptions.transactions.groups import RELAY_BUDGETS
from inscriptions.transactions.network import NETWORKS, parse_address
from inscriptions.plans.plan import MAX_MONEY
from toolkit.cli.batch import verified_batch
from toolkit.cli.options import DecimalInt, json_option
from toolkit.cli.render import SimpleResult
from toolkit.core.errors import UsageError
from toolkit.sources.feesources import DEFAULT_PRIORITY, PRIORITIES, parse_fee_source


@click.command("estimate")
@click.argument("batch_dir", type=click.Path(path_type=Path))
@click.option("--fee-rate", metavar="R", help="Fee rate in sat/vB (decimals allowed); offline.")
@click.option("--fee-source", metavar="SRC", help="bitcoind:URL, mempool:URL or bitcoinlib:NETWORK.")
@click.option("--priority", type=click.Choice(sorted(PRIORITIES)), default=DEFAULT_PRIORITY, show_default=True)
@click.option("--relay", type=click.Choice(list(RELAY_BUDGETS)), default="standard", show_default=True)
@click.option(
    "--postage", type=DecimalInt(1, MAX_MONEY), default=10_000, show_default=True, help="Sats per inscription."
)
@click.option("--destination", metavar="ADDR", help="Destination address (exact output size); default: a P2TR output.")
@click.option("--network", type=click.Choice(list(NETWORKS)), help="Network of --destination.")
@json_option
def estimate(
    batch_dir: Path,
    fee_rate: str | None,
    fee_source: str | None,
    priority: str,
    relay: str,
    postage: int,
    destination: str | None,
    network: str | None,
    json_mode: bool,
) -> SimpleResult:
    """Verify BATCH_DIR and show what inscribing it would cost; writes nothing."""
    if (fee_rate is None) == (fee_source is None):
        raise UsageError("give exactly one of --fee-rate R or --fee-source SRC")
    if (destination is None) != (network is None):
        raise UsageError("--destination and --network go together")
    script = parse_address(destination, network).script_pubkey if destination and network else P2TR_SCRIPT
    batch = verified_batch(batch_dir)
    if fee_rate is not None:
        rate = parse_rate(fee_rate, what="--fee-rate")
    else:
        rate = parse_fee_source(fee_source or "", priority=priority).fetch()
    est = estimate_batch(batch, relay=relay, postage=postage, rate=rate, destination_script=script)
    m = batch.manifest
    shard_bytes = sum(s.gz_size for s in m.shards)
    data = {
        "fee_rate": fmt_rate(rate),
        "relay": relay,
        "compressor": m.compressor.name,
        "content_encoding": m.content_encoding,
        "shard_bytes": shard_bytes,
        "inscriptions": len(m.shards) + 1,
        "groups": len(est.groups),
        "total_vbytes": est.total_vbytes,
        "total_fee_sats": est.total_fee_sats,
        "postage_sats": est.postage_sats,
        "total_sats": est.total_fee_sats + est.postage_sats,
        "per_group": [
            {"group": i, "inscriptions": len(g.group.items), "reveal_weight": g.group.weight, "reveal_vsize": g.vsize, "fee_sats": g.fee_sats}
            for i, g in enumerate(est.groups)
        ],
    }
    text = (
        f"{m.compressor.name} batch, {shard_bytes} shard bytes, {len(m.shards) + 1} inscriptions (with the manifest) "
        f"in {len(est.groups)} {relay} reveals: {est.total_vbytes} vB at {fmt_rate(rate)} sat/vB = "
        f"{est.total_fee_sats} sats in fees, plus {est.postage_sats} sats postage ({est.total_fee_sats + est.postage_sats} sats to fund; "
        "commit transaction fees not included)"
    )
    return SimpleResult(data, text)
