"""Digest of what one build of the core does with a journal of commands.

Run by ``test_compiled_build.py`` in this process and, with ``AUREX_PURE_PYTHON=1``,
in a child: each decodes the same encoded commands (journal frames' payloads, one
hex line each), applies them to an ``Exchange`` and ``MarketData``, and prints the
SHA-256 of every event's and market-data update's ``repr``, the state hash and the
market-data snapshot.

    python build_digest.py COMMANDS_FILE
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from aurex import native
from aurex.core import Exchange
from aurex.engine import codec
from aurex.marketdata import MarketData


def digest(payloads: list[bytes]) -> dict[str, object]:
    exchange, market_data = Exchange(), MarketData()
    events_hash, updates_hash = hashlib.sha256(), hashlib.sha256()
    count = 0
    for payload in payloads:
        events = exchange.apply(codec.decode(payload))
        update = market_data.apply(events)
        count += len(events)
        events_hash.update("\n".join(map(repr, events)).encode() + b"\n")
        updates_hash.update(repr(update).encode() + b"\n")
    md_state = json.dumps(market_data.snapshot(), sort_keys=True, default=str).encode()
    return {
        "compiled": native.is_compiled(),
        "events": count,
        "events_sha256": events_hash.hexdigest(),
        "updates_sha256": updates_hash.hexdigest(),
        "state_hash": exchange.state_hash(),
        "market_data_sha256": hashlib.sha256(md_state).hexdigest(),
        "snapshot_sha256": hashlib.sha256(
            json.dumps(exchange.snapshot(), sort_keys=True).encode()
        ).hexdigest(),
    }


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="ascii").split()
    print(json.dumps(digest([bytes.fromhex(line) for line in lines])))


if __name__ == "__main__":
    main()
