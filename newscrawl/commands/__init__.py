"""The project's Scrapy commands (``COMMANDS_MODULE``): one module each, named as the command.

``ToolCommand`` is what the commands that run no crawl share (``scrapy frontier``,
``report``, ``serve``, ``upload_pending``, ``wacz``). It is a mixin, not a
``ScrapyCommand`` subclass, so Scrapy does not take it for a command of its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.exceptions import UsageError


class ToolCommand:
    """Mixed in before ``ScrapyCommand``: runs in the project without a crawler process, logs at INFO
    (``default_settings``), shows ``usage`` and ``summary`` in the help, and its module's docstring
    as the long help."""

    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "INFO"}
    usage = ""  # the arguments, as the help's first line shows them
    summary = ""  # one line, in `scrapy -h`

    def syntax(self) -> str:
        return self.usage

    def short_desc(self) -> str:
        return self.summary

    def long_desc(self) -> str:
        return (sys.modules[type(self).__module__].__doc__ or "").strip()

    @staticmethod
    def add_output_option(parser: argparse.ArgumentParser, help: str) -> None:  # noqa: A002 - argparse's name
        parser.add_argument("-o", "--output", metavar="FILE", help=help)

    @staticmethod
    def check_output(output: str | None, placeholder: str, what: str, kind: str | None = None,
                     suffix: str | None = None) -> None:
        """``-o`` names a file in a directory that exists (and ends in ``suffix``); else a one-line
        usage error: ``-o FILE.html: say where to write the report``, ``-o x: no such directory``."""
        if not output:
            raise UsageError(f"-o {placeholder}: say where to write {what}", print_help=False)
        if suffix and not output.endswith(suffix):
            raise UsageError(f"-o {output}: a {kind} file's name ends in {suffix}", print_help=False)
        if not Path(output).resolve().parent.is_dir():
            raise UsageError(f"-o {output}: no such directory", print_help=False)
