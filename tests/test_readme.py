"""Every command example of the README is run (against the fixture sites on 127.0.0.1), and every
newscrawl command has --help text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    """Lines of ```sh blocks that run newscrawl or scrapy, comments removed, in README order.
    (`make demo`/`make test` are what CI runs; the scheduling and distributed examples are run by
    tests/test_schedule_docs.py and tests/test_distributed.py.)"""
    commands = []
    own = README.split("<!-- BEGIN docs -->")[0] + README.split("<!-- END docs -->")[-1]
    for block in re.findall(r"```sh\n(.*?)```", own, flags=re.DOTALL):
        for line in block.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line.startswith(("newscrawl ", "scrapy crawl news ")) and "REDIS" not in line \
                    and "redis://" not in line and "crawl-all" not in line:
                commands.append(line)
    return commands


COMMANDS = readme_commands()


def test_the_readme_has_examples() -> None:
    assert len(COMMANDS) >= 15
    assert any(c.startswith("scrapy crawl news -a site=") for c in COMMANDS)
    assert any(c.startswith("newscrawl search") for c in COMMANDS)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, fixture_server_module):  # type: ignore[no-untyped-def]
    from conftest import SITE

    tmp = tmp_path_factory.mktemp("readme")
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    env = dict(os.environ, http_proxy=server.proxy_url, NEWSCRAWL_DB=str(tmp / "archive.db"),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    env.pop("no_proxy", None)
    yield tmp, env
    server.stop()


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_example_runs(workspace, command: str) -> None:
    tmp, env = workspace
    line = command.replace("archive.db", str(tmp / "archive.db"))
    line = re.sub(r"-o (\S+)", lambda m: f"-o {tmp / m.group(1)}", line)
    line = re.sub(r"--plot (\S+)", lambda m: f"--plot {tmp / m.group(1)}", line)
    if line.startswith("scrapy crawl"):
        line += " -s DOWNLOAD_DELAY=0.02 -s LOG_LEVEL=WARNING"
    result = subprocess.run(["bash", "-c", line], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr


def all_commands() -> list[str]:
    return sorted(cli.commands)


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    for param in command.params:
        if isinstance(param, __import__("click").Option) and param.name not in ("help",):
            assert param.help, f"{name} {param.opts} has no help text"


@pytest.mark.parametrize("doc", ["scheduling.md", "distributed.md"])
def test_readme_carries_the_tested_docs(doc: str) -> None:
    """The README's scheduling and distributed sections are docs/*.md, whose examples other tests
    run: every code block of the doc is in the README word for word."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    for block in re.findall(r"```[a-z]*\n.*?```", text, flags=re.DOTALL):
        assert block in README, f"README is out of date with docs/{doc} (re-copy the section)"
