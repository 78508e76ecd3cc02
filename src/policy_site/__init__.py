"""A privacy policy as effective-dated versions, and a consent script that follows it.

The logic lives in plain modules (``dates``, ``versions``, ``consent``, ...); ``adapter`` only
adapts them to MkDocs, so another static-site generator could drive the same core.
"""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:  # pyproject.toml is the one place that says it
    __version__ = version("policy-site")
except PackageNotFoundError:  # the sources, not installed
    __version__ = "0+unknown"
