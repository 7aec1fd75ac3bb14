// Average-cost position accounting from the user's fills: the cost basis of what is
// held and the profit already realised by selling.

import type { Fill } from "./types.js";
import { toCents } from "./format.js";

export interface Lot {
  shares: number;
  costCents: number; // total cost of the shares held
  realisedCents: number;
}

/** Folds fills (any order; sorted here oldest first) into a lot per symbol. */
export function lots(fills: Fill[]): Map<string, Lot> {
  const out = new Map<string, Lot>();
  const sorted = [...fills].sort((a, b) => a.timestamp - b.timestamp || a.tradeId - b.tradeId);
  for (const f of sorted) {
    const lot = out.get(f.symbol) ?? { shares: 0, costCents: 0, realisedCents: 0 };
    const price = toCents(f.price) ?? 0;
    if (f.side === "buy") {
      lot.shares += f.quantity;
      lot.costCents += price * f.quantity;
    } else {
      const average = lot.shares > 0 ? lot.costCents / lot.shares : price;
      lot.realisedCents += (price - average) * f.quantity;
      lot.costCents -= average * Math.min(f.quantity, lot.shares);
      lot.shares -= f.quantity;
      if (lot.shares <= 0) {
        lot.shares = 0;
        lot.costCents = 0;
      }
    }
    out.set(f.symbol, lot);
  }
  return out;
}
