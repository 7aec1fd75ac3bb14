"""The runtime around the pure core: sequencer, journal, snapshots, recovery, event bus."""

from aurex.engine.bus import EventBus, Subscription, SubscriptionOverflow
from aurex.engine.journal import Journal, JournalCorruptError, read_commands
from aurex.engine.recovery import Recovery, RecoveryError, iter_events, recover
from aurex.engine.replay import ReplayReport, format_report, replay
from aurex.engine.sequencer import Sequencer, SequencerHalted, SequencerStopped
from aurex.engine.snapshot import Snapshot, SnapshotError, SnapshotStore

__all__ = [
    "EventBus",
    "Journal",
    "JournalCorruptError",
    "Recovery",
    "RecoveryError",
    "ReplayReport",
    "Sequencer",
    "SequencerHalted",
    "SequencerStopped",
    "Snapshot",
    "SnapshotError",
    "SnapshotStore",
    "Subscription",
    "SubscriptionOverflow",
    "format_report",
    "iter_events",
    "read_commands",
    "recover",
    "replay",
]
