"""``draw commit``: the request, built from the rules and the entrants file."""

from __future__ import annotations

from toolkit.core.errors import MalformedInputError, UsageError, VerificationError
from toolkit.draws.entrants import Entrants
from toolkit.draws.request import DrawRequest, VrfKeyRef
from vrf.ecvrf import decode_public_key
from vrf.suites import suite_by_name


def make_request(
    *,
    network: str,
    height: int,
    confirmations: int,
    context: str,
    entrants: Entrants,
    winners: int,
    vrf_suite: str | None = None,
    vrf_public_key: bytes | None = None,
) -> DrawRequest:
    """The ``enoch-draw-request/1`` for these rules.  K > n is a usage error
    (exit 2); a VRF key that could never verify a proof is malformed (65)."""
    if winners > entrants.count:
        raise UsageError(f"cannot draw {winners} winners from {entrants.count} entrants")
    vrf: VrfKeyRef | None = None
    if (vrf_suite is None) != (vrf_public_key is None):
        raise UsageError("give --vrf-public-key and --vrf-suite together")
    if vrf_suite is not None and vrf_public_key is not None:
        suite = suite_by_name(vrf_suite)
        try:
            # ECVRF_validate_key now, not at verify time: a request naming a
            # key no proof can verify under would be a draw nobody can run.
            decode_public_key(suite, vrf_public_key)
        except VerificationError as exc:
            raise MalformedInputError(f"--vrf-public-key: {exc.reason}") from None
        vrf = VrfKeyRef(suite.name, vrf_public_key)
    return DrawRequest(
        network=network,
        height=height,
        confirmations=confirmations,
        context=context,
        winners=winners,
        entrant_count=entrants.count,
        entrants_root=entrants.root(),
        vrf=vrf,
    )
