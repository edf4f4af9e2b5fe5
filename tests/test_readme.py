"""The README walked as a new user walks it.

A fresh virtualenv gets the package from this checkout (``pip install '.[all]'``, as the README
says); in an empty directory the README's ``fs_server.py`` and ``host.py`` are written exactly as
shown, and the "Try it on one machine" commands run in their order: ``tooltrail up`` in the
background (the test waits for its first line, as a person waits to see it), then every other
line in one shell with ``set -e``, then ``up`` is stopped with SIGTERM. Every command must
succeed, the host must get the file's first line back through the audited server, the events
must be listed, and ``verify`` must prove them (exit 0).

The README names fixed ports (8080, and 8123 for the query endpoint): the test fails, saying
so, when something else holds them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()

pytestmark = [pytest.mark.slow, pytest.mark.store]


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)


def _commands() -> list[str]:
    (first, *_) = _blocks(_section("Try it on one machine"), "sh")
    lines = []
    for raw in first.splitlines():
        line = re.sub(r"\s+#.*$", "", raw).strip()  # the README's comments
        if line:
            lines.append(line)
    return lines


def _python_files() -> dict[str, str]:
    files = {}
    for block in _blocks(_section("Try it on one machine"), "python"):
        name = re.match(r"# (\S+\.py) ", block)
        assert name, f"a README python block names its file on its first line: {block[:60]!r}"
        files[name.group(1)] = block
    return files


def test_the_readme_names_its_files_and_commands_in_order() -> None:
    commands = _commands()
    assert commands[0] == "tooltrail up &"
    assert commands[-1] == "kill %1"
    files = _python_files()
    assert set(files) == {"fs_server.py", "host.py"}
    ran = " ".join(commands)
    assert "python host.py" in ran
    assert "host.py" in ran
    assert "fs_server.py" in files["host.py"]  # the host starts the server it audits
    assert ran.index("keys create") < ran.index("python host.py") < ran.index("verify")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_walking_the_readme_in_a_fresh_venv(tmp_path: Path) -> None:
    for port in (8080, 8123):
        assert _free(port), f"the README's port {port} is in use on this machine"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # --no-compile: the walk writes no bytecode (PYTHONDONTWRITEBYTECODE below), so pip's
    # byte-compiling of every installed module (half the install's time) would serve nothing
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile"]
    subprocess.run([*pip, "--disable-pip-version-check", f"{ROOT}[all]"], check=True, timeout=900)
    work = tmp_path / "work"
    work.mkdir()
    for name, code in _python_files().items():
        (work / name).write_text(code)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TOOLTRAIL_", "VIRTUAL_ENV"))},
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    commands = _commands()
    up = subprocess.Popen(
        ["tooltrail", "up"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert up.stdout is not None
        first = up.stdout.readline()
        assert first.startswith("tooltrail up: collector http://127.0.0.1:8080"), first
        script = "set -euo pipefail\n" + "\n".join(commands[1:-1]) + "\n"
        walked = subprocess.run(
            ["bash", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        shown = f"stdout:\n{walked.stdout}\nstderr:\n{walked.stderr}"
        assert walked.returncode == 0, shown
        out = walked.stdout
        assert "# fs_server.py" in out  # the host read the file through the audited server
        assert "read_file" in out  # tooltrail events lists the call
        assert "fs-server" in out
        assert "OK:" in out  # verify: intact and vouched
        assert "trusting the signers registered in .tooltrail/collector-keys.json" in out
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            tail, _ = up.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            up.kill()
            tail, _ = up.communicate()
    assert up.returncode == 0, tail
    assert "tooltrail up: stopped" in tail
    deadline = time.monotonic() + 10  # the ports are free again for whoever is next
    while not _free(8080) and time.monotonic() < deadline:
        time.sleep(0.2)
