// A symbol's L2 book kept from a snapshot plus sequenced deltas. A gap (a change
// whose seq is not the next one) marks the book stale and asks for a new snapshot;
// deltas are dropped until it arrives.

import type { Depth, Level } from "./types.js";
import { toCents } from "./format.js";

export interface Change {
  seq: number;
  side: "buy" | "sell";
  price: string;
  quantity: number;
}

export class Book {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  seq = -1;
  stale = true;
  gaps = 0;

  constructor(private readonly onGap: () => void) {}

  snapshot(depth: Pick<Depth, "seq" | "bids" | "asks">): void {
    this.bids.clear();
    this.asks.clear();
    for (const level of depth.bids) this.set(this.bids, level);
    for (const level of depth.asks) this.set(this.asks, level);
    this.seq = depth.seq;
    this.stale = false;
  }

  /** Applies a delta; false when it revealed a gap (a snapshot is then requested). */
  apply(changes: Change[]): boolean {
    if (this.stale) return false;
    for (const change of changes) {
      if (change.seq <= this.seq) continue; // already in the snapshot
      if (change.seq !== this.seq + 1) {
        this.stale = true;
        this.gaps += 1;
        this.onGap();
        return false;
      }
      this.seq = change.seq;
      this.set(change.side === "buy" ? this.bids : this.asks, change);
    }
    return true;
  }

  /** Best first: bids high to low, asks low to high. */
  levels(side: "buy" | "sell", limit = Infinity): [number, number][] {
    const map = side === "buy" ? this.bids : this.asks;
    const sorted = [...map.entries()].sort((a, b) => (side === "buy" ? b[0] - a[0] : a[0] - b[0]));
    return sorted.slice(0, limit);
  }

  private set(map: Map<number, number>, level: Level): void {
    const cents = toCents(level.price);
    if (cents == null) return;
    if (level.quantity > 0) map.set(cents, level.quantity);
    else map.delete(cents);
  }
}
