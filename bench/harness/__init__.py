"""The benchmark harness behind `make bench` (issue 8): Python's standard
library only, so a fresh Debian machine needs nothing from PyPI."""
