"""The project's commands as Scrapy sees them: ToolCommand is shared by the tools, and is no command itself."""

from __future__ import annotations

import importlib
import os
import re
import subprocess

import pytest

from newscrawl.commands import ToolCommand

from .conftest import REPO, SCRAPY

OURS = {"crawl", "demo", "frontier", "replay", "report", "serve", "upload_pending", "wacz"}
TOOLS = ("frontier", "report", "serve", "upload_pending", "wacz")


def test_scrapy_lists_every_command_of_ours_and_no_other():
    proc = subprocess.run([*SCRAPY, "-h"], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120, check=True)
    listed = {m[1]: m[2] for m in re.finditer(r"(?m)^  (\w+) +(.+)$", proc.stdout)}
    modules = {f.stem for f in (REPO / "newscrawl" / "commands").glob("*.py") if f.stem != "__init__"}
    assert modules == OURS
    assert OURS <= set(listed)
    assert "commands" not in listed  # the package's ToolCommand is a mixin, not a command named after it
    for name in TOOLS:
        assert listed[name] == importlib.import_module(f"newscrawl.commands.{name}").Command.summary


@pytest.mark.parametrize("name", TOOLS)
def test_a_tool_runs_without_a_crawler_and_its_help_is_its_modules_docstring(name):
    module = importlib.import_module(f"newscrawl.commands.{name}")
    command = module.Command()
    assert isinstance(command, ToolCommand)
    assert command.requires_project and not command.requires_crawler_process
    assert command.long_desc() == module.__doc__.strip()
    assert command.syntax() and command.short_desc()
