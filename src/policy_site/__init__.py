"""Toontrack's privacy policy site: effective-dated policy versions and the consent bundle.

The logic lives in plain modules (``dates``, ``versions``); ``plugin`` only adapts them to MkDocs,
so another static-site generator could drive the same core.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
