"""Make libsecp256k1 available to python-bitcointx without root.

python-bitcointx loads libsecp256k1 with ctypes at run time and a fresh
machine has no system copy.  The coincurve wheel statically links
libsecp256k1 into its CFFI extension module and exports the C API, so we
point python-bitcointx at that file.  Call :func:`ensure_secp256k1` before
anything from ``bitcointx`` that signs or verifies.
"""

from __future__ import annotations

import glob
import importlib.util
import os
from functools import cache

from toolkit.core.errors import InternalError


def bundled_library_path() -> str:
    """Path of the libsecp256k1 build inside the installed coincurve wheel."""
    spec = importlib.util.find_spec("coincurve")
    if spec is None or not spec.submodule_search_locations:
        raise InternalError("coincurve is not installed; reinstall enochian-toolkit")
    for location in spec.submodule_search_locations:
        matches = sorted(glob.glob(os.path.join(location, "_libsecp256k1*")))
        if matches:
            return matches[0]
    raise InternalError("coincurve does not bundle libsecp256k1; reinstall enochian-toolkit")


@cache
def ensure_secp256k1() -> str:
    """Configure python-bitcointx to use the bundled libsecp256k1 (once).

    An explicit ``ENOCH_SECP256K1`` path wins, for users who want their
    distribution's library.  Returns the path in use.
    """
    import bitcointx

    path = os.environ.get("ENOCH_SECP256K1") or bundled_library_path()
    bitcointx.set_custom_secp256k1_path(path)
    from bitcointx.core.secp256k1 import get_secp256k1

    caps = get_secp256k1().cap
    if not (caps.has_schnorrsig and caps.has_xonly_pubkeys):
        raise InternalError(f"libsecp256k1 at {path} lacks schnorrsig/extrakeys support")
    return path
