"""The one error hierarchy of enoch, and the exit-code table (SPEC C).

Library code (``inscriptions/``, ``vrf/``, ``toolkit/``) raises these; only the
CLI turns them into an exit code and a message.  Every error carries a
one-line user message, a stable machine ``code`` for ``--json`` output and the
process exit status.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

EXIT_OK: Final = 0
EXIT_VERIFY_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_DATAERR: Final = 65
EXIT_NOINPUT: Final = 66
EXIT_UNAVAILABLE: Final = 69
EXIT_SOFTWARE: Final = 70
EXIT_TEMPFAIL: Final = 75

#: The exit table as printed by ``enoch --help`` and the README.
EXIT_TABLE: Final[tuple[tuple[int, str], ...]] = (
    (EXIT_OK, "success; for verify commands: valid"),
    (EXIT_VERIFY_FAILED, "verification failed (proof, VRF, Merkle, PoW, manifest mismatch)"),
    (EXIT_USAGE, "usage error"),
    (EXIT_DATAERR, "malformed input data (bad hex, bad JSON, wrong format version, truncated)"),
    (EXIT_NOINPUT, "input missing or unreadable"),
    (EXIT_UNAVAILABLE, "data source unavailable (fee/block source down, HTTP error, timeout)"),
    (EXIT_SOFTWARE, "internal error (bug); please report it"),
    (EXIT_TEMPFAIL, "fee rate above the ceiling, or the plan directory busy: nothing was written or signed; retry later"),
)


class EnochError(Exception):
    """Base class: a user-facing one-line message plus an exit code."""

    exit_code: ClassVar[int] = EXIT_SOFTWARE
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (parallel pack workers): rebuild
        # from the original constructor argument, not from str(self).
        return (type(self), self._init_args())

    def _init_args(self) -> tuple[Any, ...]:
        return (self.message,)


class VerificationError(EnochError):
    """Verification failed.  Deliberately one opaque type: callers branch on
    the exit code, humans read ``reason``."""

    exit_code = EXIT_VERIFY_FAILED
    code = "verification_failed"

    def __init__(self, reason: str) -> None:
        super().__init__(f"verification failed: {reason}")
        self.reason = reason

    def _init_args(self) -> tuple[Any, ...]:
        return (self.reason,)


class UsageError(EnochError):
    """Bad combination of options that click itself cannot detect."""

    exit_code = EXIT_USAGE
    code = "usage_error"


class OutputExistsError(UsageError):
    """An output exists and ``--overwrite`` was not given."""

    code = "output_exists"


class MalformedInputError(EnochError):
    """Input data is malformed: bad hex, bad JSON, wrong version, truncated."""

    exit_code = EXIT_DATAERR
    code = "malformed_input"


class InputMissingError(EnochError):
    """An input file or directory is missing or unreadable."""

    exit_code = EXIT_NOINPUT
    code = "input_missing"


class SourceUnavailableError(EnochError):
    """An online data source (fees, blocks) failed, timed out or answered garbage."""

    exit_code = EXIT_UNAVAILABLE
    code = "source_unavailable"


class TxRejectedError(SourceUnavailableError):
    """A node answered and refused a transaction; ``reason`` is its words,
    ``rpc_code`` bitcoind's error code when there is one."""

    code = "tx_rejected"

    def __init__(self, message: str, reason: str = "", rpc_code: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        self.rpc_code = rpc_code

    def _init_args(self) -> tuple[Any, ...]:
        return (self.message, self.reason, self.rpc_code)


class TxNotFoundError(SourceUnavailableError):
    """A node answered that it does not know a transaction (bitcoind without
    ``-txindex`` knows only its mempool and wallet)."""

    code = "tx_not_found"


class InternalError(EnochError):
    """A bug: an invariant we rely on did not hold."""

    exit_code = EXIT_SOFTWARE
    code = "internal_error"


class FeeAboveCeilingError(EnochError):
    """The fee rate is above the ceiling; nothing was written or signed."""

    exit_code = EXIT_TEMPFAIL
    code = "fee_above_ceiling"


class BusyError(EnochError):
    """Another enoch command holds the lock of the same directory; retry later."""

    exit_code = EXIT_TEMPFAIL
    code = "busy"
