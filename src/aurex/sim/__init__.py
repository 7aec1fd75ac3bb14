"""Simulated market participants for demos, load and tests."""
