"""``./scripts/bench``: sizes, banner timing, build time and page weight against the libraries
people would pick instead. Not part of the package: it measures this repository's own site."""
