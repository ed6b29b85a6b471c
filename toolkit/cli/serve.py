"""``enoch serve``: preview the loader page locally (thin click layer over :mod:`toolkit.serve.server`)."""

from __future__ import annotations

from pathlib import Path

import click

from inscriptions.batch.verify import MANIFEST_NAME, verify_batch
from inscriptions.readback.content import Site, batch_site, plan_site
from toolkit.cli.options import DecimalInt, json_option
from toolkit.cli.render import SimpleResult, info
from toolkit.core.errors import InputMissingError, UsageError
from toolkit.serve.server import SiteServer


def load_site(path: Path) -> Site:
    """A batch directory (placeholder ids) or a plan directory (real ids)."""
    if (path / MANIFEST_NAME).exists():
        return batch_site(verify_batch(path))
    if (path / "plan.json").exists():
        return plan_site(path)
    if not path.is_dir():
        raise InputMissingError(f"{path} is not a directory")
    raise UsageError(f"{path} is neither a batch directory (manifest.json) nor a plan directory (plan.json)")


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--port", type=DecimalInt(0, 65535), default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@json_option
def serve(directory: Path, port: int, json_mode: bool) -> SimpleResult:
    """Serve a batch or plan the way ord does, with the loader page at /, on 127.0.0.1 until Ctrl-C."""
    site = load_site(directory)
    try:
        server = SiteServer(site, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    info(f"serving {len(site.contents)} inscriptions and the loader page at {server.url} (Ctrl-C stops)")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return SimpleResult({"stopped": True, "url": server.url}, "stopped")
