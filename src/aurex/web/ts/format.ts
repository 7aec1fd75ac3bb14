// Number formatting. Prices arrive as decimal strings and are handled in cents
// (integers) so sums and products stay exact.

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** "234.50" -> 23450; null for empty or malformed input. */
export function toCents(text: string | null | undefined): number | null {
  if (text == null) return null;
  const match = /^\s*(-?)(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0") || "0");
  return match[1] === "-" ? -cents : cents;
}

/** 23450 -> "234.50" (the wire format). */
export function centsToWire(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Cents as "12,345.67". */
export function fmtCents(cents: number | null): string {
  return cents == null ? "—" : money.format(cents / 100);
}

/** A wire price as "1,234.50". */
export function fmtPrice(text: string | null | undefined): string {
  const cents = toCents(text ?? null);
  return cents == null ? "—" : fmtCents(cents);
}

export function fmtSignedCents(cents: number): string {
  return `${cents > 0 ? "+" : ""}${money.format(cents / 100)}`;
}

export function fmtQty(n: number): string {
  return integer.format(n);
}

export function fmtCompact(n: number): string {
  return compact.format(n);
}

export function fmtPercent(text: string): string {
  const n = Number(text);
  return `${n > 0 ? "+" : ""}${n.toFixed(2)}%`;
}

/** "up", "down" or "flat" for colouring a change. */
export function direction(value: number): "up" | "down" | "flat" {
  return value > 0 ? "up" : value < 0 ? "down" : "flat";
}

export function fmtTime(ms: number): string {
  return new Date(ms).toLocaleTimeString("en-GB", { hour12: false });
}

export function fmtDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toLocaleTimeString("en-GB", { hour12: false })}`;
}
