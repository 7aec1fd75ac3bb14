"""Adapters that plug the engine into the ports other packages define."""
