from __future__ import annotations

import subprocess

import click
import pytest
import sys
from collections.abc import Callable

from tests.conftest import CliResult
from toolkit import __version__


def test_version(enoch: Callable[..., CliResult]) -> None:
    r = enoch("--version")
    assert r.exit_code == 0
    assert __version__ in r.stdout


def test_help_documents_exit_table(enoch: Callable[..., CliResult]) -> None:
    r = enoch("--help")
    assert r.exit_code == 0
    for code in ("65", "66", "69", "70", "75"):
        assert f"  {code}  " in r.stdout


def test_unknown_command_is_usage_error(enoch: Callable[..., CliResult]) -> None:
    r = enoch("no-such-command")
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr


def test_usage_error_in_json_mode_prints_error_object(enoch: Callable[..., CliResult]) -> None:
    r = enoch("no-such-command", "--json")
    assert r.exit_code == 2
    obj = r.json()
    assert obj["ok"] is False
    assert obj["error"]["code"] == "usage_error"


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert __version__ in proc.stdout


def test_errors_survive_pickling_unchanged() -> None:
    import pickle

    from toolkit.core.errors import MalformedInputError, VerificationError

    v = pickle.loads(pickle.dumps(VerificationError("shard 3 leaf hash")))
    assert isinstance(v, VerificationError)
    assert v.reason == "shard 3 leaf hash"
    assert v.message == "verification failed: shard 3 leaf hash"
    m = pickle.loads(pickle.dumps(MalformedInputError("bad hex")))
    assert m.message == "bad hex" and m.exit_code == 65


def test_error_with_lone_surrogate_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    from toolkit.cli.render import render_error

    render_error("input_missing", "cannot read caf\udce9.txt\nsecond line", json_mode=True)
    out, err = capsys.readouterr()
    assert "caf\\udce9.txt second line" in err
    assert err.count("\n") == 1
    assert '"ok": false' in out


def test_block_options_are_one_definition_everywhere() -> None:
    # --block-hash/--header/--context come from toolkit.cli.options.block_options on every command
    from toolkit.cli.randomness import hexagram, random_int
    from toolkit.cli.vrf import prove

    def spelled(command: click.Command) -> list[tuple[str, ...]]:
        return [
            (p.name or "", *p.opts, str(getattr(p, "help", "")), str(p.default))
            for p in command.params
            if p.name in ("block_hash", "header_hex", "context")
        ]

    assert len(spelled(prove)) == 3
    assert spelled(hexagram) == spelled(random_int) == spelled(prove)


def test_error_control_characters_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    from toolkit.cli.render import render_error

    render_error("usage_error", "bad address 'bc1\x00\x1b[31m'\tx", json_mode=False)
    _, err = capsys.readouterr()
    assert err == "enoch: error: bad address 'bc1\\x00\\x1b[31m'\\tx\n"
