// The user's open orders and fills, kept live from the private "orders" channel:
// shared by the trading page (tables with cancel and amend) and the portfolio.

import { api, get } from "./api.js";
import { feed } from "./live.js";
import type { Account, Fill, Order } from "./types.js";

export const OPEN = new Set(["new", "partially_filled", "pending_trigger"]);

type Listener = () => void;

export class MyOrders {
  readonly open = new Map<number, Order>();
  fills: Fill[] = [];
  account: Account | null = null;
  private readonly listeners: Listener[] = [];
  private accountTimer: number | undefined;
  private during: Map<number, Order> | null = null;

  constructor() {
    feed.onMessage((m) => {
      if (m.type === "order") this.upsert(m.data as Order);
      else if (m.type === "fill") {
        const fill = m.data as Fill;
        if (!this.fills.some((f) => f.tradeId === fill.tradeId && f.orderId === fill.orderId)) {
          this.fills.unshift(fill);
          this.fills = this.fills.slice(0, 200);
        }
        this.refreshAccountSoon();
        this.changed();
      }
    });
    feed.subscribe({ channel: "orders" });
    feed.onConnect(() => void this.load());
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  async load(): Promise<void> {
    // Orders that change while the lists load are applied again afterwards, so a
    // slower answer never hides an order placed in the meantime.
    this.during = new Map();
    const [orders, fills, account] = await Promise.all([
      get<{ orders: Order[] }>("/api/trading/orders?status=open&limit=500"),
      get<{ fills: Fill[] }>("/api/trading/fills?limit=100"),
      get<Account>("/api/account"),
    ]);
    const during = this.during;
    this.during = null;
    const live = this.fills;
    this.open.clear();
    for (const o of orders.orders) this.open.set(o.orderId, o);
    for (const o of during.values()) this.upsert(o);
    const seen = new Set(fills.fills.map((f) => `${f.tradeId}/${f.orderId}`));
    this.fills = [...live.filter((f) => !seen.has(`${f.tradeId}/${f.orderId}`)), ...fills.fills];
    this.account = account;
    this.changed();
  }

  upsert(order: Order): void {
    this.during?.set(order.orderId, order);
    const known = this.open.get(order.orderId);
    if (known && known.updatedAt > order.updatedAt) return;
    if (OPEN.has(order.status)) this.open.set(order.orderId, order);
    else this.open.delete(order.orderId);
    this.refreshAccountSoon();
    this.changed();
  }

  async cancel(orderId: number): Promise<void> {
    const answer = await api<{ order: Order }>("DELETE", `/api/trading/orders/${orderId}`, undefined, { trading: true });
    this.upsert(answer.order);
  }

  async amend(orderId: number, change: { quantity?: number; price?: string }): Promise<void> {
    const answer = await api<{ order: Order }>("PATCH", `/api/trading/orders/${orderId}`, change, { trading: true });
    this.upsert(answer.order);
  }

  refreshAccountSoon(): void {
    window.clearTimeout(this.accountTimer);
    this.accountTimer = window.setTimeout(() => {
      void get<Account>("/api/account").then((account) => {
        this.account = account;
        this.changed();
      });
    }, 150);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
