"""A privacy policy as effective-dated versions, and a consent script that follows it.

The logic lives in plain modules (``dates``, ``versions``); ``plugin`` only adapts them to MkDocs,
so another static-site generator could drive the same core.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
