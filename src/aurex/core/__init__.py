"""The pure, deterministic exchange core: books, matching, risk and settlement.

Nothing here reads a clock, a random source, the network or the disk; time and
sequence numbers arrive inside each command.
"""

from aurex.core.exchange import Exchange, ExchangeConfig

__all__ = ["Exchange", "ExchangeConfig"]
