"""The binary TCP protocol: codec (bytes <-> messages), sessions, server. See docs/protocol.md."""
