"""The pure, deterministic exchange core: books, matching, risk and settlement.

Nothing here reads a clock, a random source, the network or the disk; time and
sequence numbers arrive inside each command. The public face: :class:`Exchange`
(``apply(command) -> list[Event]``, queries, snapshots, ``state_hash``) and its
configuration; commands, events, enums and reject codes live in
``aurex.core.commands``, ``.events``, ``.model`` and ``.codes``. The rest
(``exchange_state``, ``order_entry``, ``matching``, ``book``, ``risk``, ``state``)
is internal. Modules import one another without cycles (``model``/``codes`` ->
``commands``/``events`` -> ``risk`` -> ``book`` -> ``matching`` ->
``exchange_state`` -> ``order_entry``/``state`` -> ``exchange``).
"""

from aurex.core.codes import RejectCode
from aurex.core.exchange import Exchange
from aurex.core.exchange_state import ExchangeConfig
from aurex.core.state import StateHashMismatch

__all__ = ["Exchange", "ExchangeConfig", "RejectCode", "StateHashMismatch"]
