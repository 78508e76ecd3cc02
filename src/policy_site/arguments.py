"""The options that every ``policy-site`` command shares, in one place: each command takes them
after its own name (``policy-site build --as-of 2027-01-01``), and a value given before the command
(``policy-site --as-of 2027-01-01 build``) keeps working; one given after wins.

argparse's way: the top parser declares them with their defaults, each command's parser adds them
again through a parent whose defaults are ``SUPPRESS``, so that a command's parser sets them only
when they are given after its name and leaves the value given before it standing otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

__all__ = ["CONFIG_FILE", "add_as_of", "add_config_file", "as_of", "config_file", "shared"]

#: Where the commands look for the site's configuration unless -f says otherwise.
CONFIG_FILE = Path("mkdocs.yml")


def config_file(text: str) -> Path:
    """An -f/--config-file given on the command line: a file that is there (the default is not
    checked here: the command that needs it says so)."""
    path = Path(text)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise argparse.ArgumentTypeError(
            f"{text} {what}: give the site's mkdocs.yml (e.g. -f my-site/mkdocs.yml), or leave "
            "-f out to use ./mkdocs.yml"
        )
    return path


def add_config_file(
    parser: argparse.ArgumentParser, *, suppress: bool = False, checked: bool = True
) -> None:
    """-f/--config-file, a file that is there (``checked``), or any path, None unless given,
    for a parser whose caller checks it where its command needs it."""
    parser.add_argument(
        "-f", "--config-file", type=config_file if checked else Path,
        default=argparse.SUPPRESS if suppress else CONFIG_FILE if checked else None,
        help="the site's mkdocs.yml (default: ./mkdocs.yml)",
    )  # fmt: skip


def as_of(text: str) -> str:
    """An --as-of given on the command line: a date (the environment's own is checked where
    it is read, naming the variable)."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-01-01"
        ) from None
    return text


def add_as_of(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    parser.add_argument(
        "--as-of", metavar="YYYY-MM-DD", type=as_of,
        default=argparse.SUPPRESS if suppress else None,
        help="the build date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)",
    )  # fmt: skip


def shared(
    *, config: bool = True, as_of: bool = True, checked: bool = True
) -> argparse.ArgumentParser:
    """A parent parser for a command's own parser: the shared options it takes after its name,
    set only when given there (their defaults come from the top parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    if config:
        add_config_file(parent, suppress=True, checked=checked)
    if as_of:
        add_as_of(parent, suppress=True)
    return parent
