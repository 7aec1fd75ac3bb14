"""The read side: pure folds from durable core events to what readers ask for.

Imports only the standard library and ``aurex.core``, like ``aurex.marketdata``.
"""

from aurex.readside.order_state import (
    TERMINAL,
    Fill,
    LedgerUpdate,
    OrderLedger,
    OrderState,
    evolve,
    fill_for,
    touched_orders,
)

__all__ = [
    "TERMINAL",
    "Fill",
    "LedgerUpdate",
    "OrderLedger",
    "OrderState",
    "evolve",
    "fill_for",
    "touched_orders",
]
