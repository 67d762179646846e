"""Every command answers --help with text of its own, as a user would run it (a new process)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from posapp.cli import COMMANDS

PYTHON = [sys.executable, "-c", "import sys; from posapp.cli import main; sys.exit(main())"]
SANDBOX = [
    sys.executable,
    "-c",
    "import sys; from posapp.sandbox.cli import main; sys.exit(main())",
]
# what each help must mention, beyond its own usage line
EXPECTED = {
    "posapp": ("usage: posapp", "demo", "decode", "scan", "--version", "--self-test"),
    "counter": ("usage: posapp", "--lang"),
    "demo": ("usage: posapp demo", "--data-dir", "--lang"),
    "restore": ("usage: posapp restore", "--list", "--db"),
    "decode": ("usage: posapp decode", "files", "--strategy"),
    "scan": ("usage: posapp scan", "--video", "--images", "--camera"),
    "sandbox": ("usage: posapp-sandbox", "--port"),
    "diagnostics": ("usage: posapp diagnostics", "--out"),
    "--self-test": ("usage: posapp --self-test", "--json"),
    "posapp-sandbox": ("usage: posapp-sandbox", "--port"),
}


def _run(name: str) -> tuple[str, subprocess.CompletedProcess]:
    if name == "posapp":
        argv = [*PYTHON, "--help"]
    elif name == "posapp-sandbox":
        argv = [*SANDBOX, "--help"]
    else:
        argv = [*PYTHON, name, "--help"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore"}
    env.pop("DISPLAY", None)  # --help never needs a screen
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, check=False)
    return name, done


@pytest.fixture(scope="module")
def helps() -> dict[str, subprocess.CompletedProcess]:
    """All the --help runs at once (each is a fresh interpreter: a second or two)."""
    names = ["posapp", *COMMANDS, "--self-test", "posapp-sandbox"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(_run, names))


def test_every_command_of_the_cli_is_covered():
    assert set(COMMANDS) | {"posapp", "--self-test", "posapp-sandbox"} <= set(EXPECTED), (
        "a new subcommand: add what its --help must say to EXPECTED"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_help_exits_zero_with_its_own_text(helps, name):
    if name not in helps:
        pytest.skip(f"{name} is not a command on this branch")
    done = helps[name]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for words in EXPECTED[name]:
        assert words in done.stdout, (name, words, done.stdout)
    description = done.stdout.partition("\n\n")[2]
    assert len(description.split()) >= 5, f"{name}: no description of its own"


def test_helps_are_different_from_each_other(helps):
    texts = {
        name: done.stdout.split("\n\n", 1)[1] for name, done in helps.items() if name != "sandbox"
    }
    assert len(set(texts.values())) == len(texts)


def test_every_option_is_explained(helps):
    """Each option line of every help carries words after the option itself."""
    bare = []
    for name, done in helps.items():
        for line in done.stdout.splitlines():
            stripped = line.strip()
            if stripped.startswith("-") and "  " not in stripped and not line.startswith(" " * 20):
                # "--lang {it,en}" alone on its line: help text on the next line is fine
                nxt = done.stdout.splitlines()[done.stdout.splitlines().index(line) + 1 :]
                if not nxt or not nxt[0].startswith(" " * 10):
                    bare.append((name, stripped))
    assert not bare
