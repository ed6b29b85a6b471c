from __future__ import annotations

import subprocess
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
