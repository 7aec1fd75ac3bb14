"""Aurex: a stock exchange written in Python."""

from aurex import native

__version__ = "0.1.0"

native.select()  # before any core module loads: compiled or interpreted, once
