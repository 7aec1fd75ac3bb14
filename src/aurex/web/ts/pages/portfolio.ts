// Portfolio: cash and buying power, positions at live prices with P&L, and the
// order and trade history with filters, pages and CSV export.

import { initChrome } from "../chrome.js";
import { feed } from "../live.js";
import { get } from "../api.js";
import { MyOrders } from "../orders.js";
import { lots } from "../pnl.js";
import { byId, csv, download, fill, formValues, h, setChange } from "../dom.js";
import { direction, fmtCents, fmtDateTime, fmtPrice, fmtQty, fmtSignedCents, toCents } from "../format.js";
import type { Fill, Order, Ticker } from "../types.js";

const PAGE = 25;
const prices = new Map<string, number>();
const mine = new MyOrders();
let allFills: Fill[] = [];

// -- summary and positions -----------------------------------------------------------
function renderPositions(): void {
  const account = mine.account;
  if (!account) return;
  const byLot = lots(allFills);
  let marketValue = 0;
  let unrealised = 0;
  let realised = 0;
  for (const lot of byLot.values()) realised += lot.realisedCents;
  const rows = account.positions
    .filter((p) => p.shares !== 0)
    .map((p) => {
      const lot = byLot.get(p.symbol);
      const last = prices.get(p.symbol) ?? null;
      const value = last == null ? null : last * p.shares;
      const cost = lot && lot.shares === p.shares ? lot.costCents : null;
      const upnl = value != null && cost != null ? value - cost : null;
      marketValue += value ?? 0;
      unrealised += upnl ?? 0;
      return h(
        "tr",
        { "data-symbol": p.symbol },
        h("th", { scope: "row" }, h("a", { href: `/app/trade/${p.symbol}` }, p.symbol)),
        h("td", { class: "num", "data-col": "shares" }, fmtQty(p.shares)),
        h("td", { class: "num hide-narrow" }, fmtQty(p.heldShares)),
        h("td", { class: "num" }, cost != null && p.shares ? fmtCents(Math.round(cost / p.shares)) : "—"),
        h("td", { class: "num" }, fmtCents(last)),
        h("td", { class: "num", "data-col": "value" }, fmtCents(value)),
        h("td", { class: `num ${direction(upnl ?? 0)}` }, upnl == null ? "—" : fmtSignedCents(upnl)),
        h("td", { class: `num hide-narrow ${direction(lot?.realisedCents ?? 0)}` }, fmtSignedCents(Math.round(lot?.realisedCents ?? 0))),
      );
    });
  fill(byId("positions").querySelector("tbody")!, rows);
  byId("pos-empty").hidden = rows.length > 0;
  byId("s-cash").textContent = fmtCents(account.cashCents);
  byId("s-bp").textContent = fmtCents(account.buyingPowerCents);
  byId("s-equity").textContent = fmtCents(account.cashCents + marketValue);
  setChange(byId("s-upnl"), fmtSignedCents(Math.round(unrealised)), direction(unrealised));
  setChange(byId("s-rpnl"), fmtSignedCents(Math.round(realised)), direction(realised));
}

async function loadAllFills(): Promise<void> {
  const out: Fill[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 40; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const answer: { fills: Fill[]; nextCursor: string | null } = await get(`/api/trading/fills?limit=500${query}`);
    out.push(...answer.fills);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  allFills = out;
  renderPositions();
}

// -- history tables with cursor pages ------------------------------------------------
function dayMillis(value: string | undefined, end: boolean): string | null {
  if (!value) return null;
  const ms = Date.parse(`${value}T00:00:00`);
  if (Number.isNaN(ms)) return null;
  return String(end ? ms + 86_400_000 - 1 : ms);
}

function query(form: HTMLFormElement, keys: string[]): URLSearchParams {
  const v = formValues(form);
  const params = new URLSearchParams();
  for (const k of keys) if (v[k]) params.set(k, k === "symbol" ? v[k]!.toUpperCase() : v[k]!);
  const from = dayMillis(v.from, false);
  const to = dayMillis(v.to, true);
  if (from) params.set("from", from);
  if (to) params.set("to", to);
  return params;
}

class Pager<T> {
  private cursors: (string | null)[] = [null];
  private page = 0;
  private next: string | null = null;
  rows: T[] = [];

  constructor(
    private readonly nav: HTMLElement,
    private readonly fetchPage: (cursor: string | null, limit: number) => Promise<{ items: T[]; next: string | null }>,
    private readonly render: (rows: T[]) => void,
  ) {
    nav.querySelector<HTMLButtonElement>("[data-dir=prev]")!.addEventListener("click", () => void this.go(this.page - 1));
    nav.querySelector<HTMLButtonElement>("[data-dir=next]")!.addEventListener("click", () => void this.go(this.page + 1));
  }

  reset(): Promise<void> {
    this.cursors = [null];
    return this.go(0);
  }

  reloadIfFirst(): void {
    if (this.page === 0) void this.go(0);
  }

  async go(page: number): Promise<void> {
    if (page < 0 || page >= this.cursors.length) return;
    const answer = await this.fetchPage(this.cursors[page] ?? null, PAGE);
    this.page = page;
    this.next = answer.next;
    this.cursors = this.cursors.slice(0, page + 1);
    if (answer.next) this.cursors.push(answer.next);
    this.rows = answer.items;
    this.render(answer.items);
    this.nav.querySelector<HTMLButtonElement>("[data-dir=prev]")!.disabled = page === 0;
    this.nav.querySelector<HTMLButtonElement>("[data-dir=next]")!.disabled = !this.next;
    this.nav.querySelector("[data-role=page]")!.textContent = `Page ${page + 1}`;
  }
}

async function everything<T>(fetchPage: (cursor: string | null, limit: number) => Promise<{ items: T[]; next: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 40; i++) {
    const answer: { items: T[]; next: string | null } = await fetchPage(cursor, 500);
    out.push(...answer.items);
    cursor = answer.next;
    if (!cursor) break;
  }
  return out;
}

const orderForm = byId<HTMLFormElement>("order-filters");
const fillForm = byId<HTMLFormElement>("fill-filters");

async function fetchOrders(cursor: string | null, limit: number): Promise<{ items: Order[]; next: string | null }> {
  const params = query(orderForm, ["status", "symbol", "side"]);
  params.set("limit", String(limit));
  if (cursor) params.set("cursor", cursor);
  const answer = await get<{ orders: Order[]; nextCursor: string | null }>(`/api/trading/orders?${params}`);
  return { items: answer.orders, next: answer.nextCursor };
}

async function fetchFills(cursor: string | null, limit: number): Promise<{ items: Fill[]; next: string | null }> {
  const params = query(fillForm, ["symbol"]);
  params.set("limit", String(limit));
  if (cursor) params.set("cursor", cursor);
  const answer = await get<{ fills: Fill[]; nextCursor: string | null }>(`/api/trading/fills?${params}`);
  return { items: answer.fills, next: answer.nextCursor };
}

const orderPager = new Pager<Order>(byId("order-history").closest("section")!.querySelector(".pager")!, fetchOrders, (rows) =>
  fill(
    byId("order-history").querySelector("tbody")!,
    rows.length
      ? rows.map((o) =>
          h("tr", { "data-order-id": o.orderId }, h("td", {}, fmtDateTime(o.createdAt)), h("td", {}, o.symbol), h("td", { class: o.side === "buy" ? "up" : "down" }, o.side), h("td", {}, o.type.replace("_", " ")), h("td", { class: "num" }, fmtQty(o.quantity)), h("td", { class: "num" }, fmtQty(o.filledQuantity)), h("td", { class: "num" }, fmtPrice(o.price ?? o.stopPrice)), h("td", { class: "num" }, o.averagePrice ? fmtPrice(Number(o.averagePrice).toFixed(2)) : "—"), h("td", {}, o.status.replace("_", " "))),
        )
      : [h("tr", {}, h("td", { colspan: 9, class: "muted" }, "No orders match"))],
  ),
);

const fillPager = new Pager<Fill>(byId("fill-history").closest("section")!.querySelector(".pager")!, fetchFills, (rows) =>
  fill(
    byId("fill-history").querySelector("tbody")!,
    rows.length
      ? rows.map((f) =>
          h("tr", {}, h("td", {}, fmtDateTime(f.timestamp)), h("td", {}, f.symbol), h("td", { class: f.side === "buy" ? "up" : "down" }, f.side), h("td", { class: "num" }, fmtPrice(f.price)), h("td", { class: "num" }, fmtQty(f.quantity)), h("td", { class: "num" }, fmtCents((toCents(f.price) ?? 0) * f.quantity)), h("td", {}, f.liquidity)),
        )
      : [h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No trades match"))],
  ),
);

orderForm.addEventListener("submit", (e) => {
  e.preventDefault();
  void orderPager.reset();
});
fillForm.addEventListener("submit", (e) => {
  e.preventDefault();
  void fillPager.reset();
});
byId("orders-csv").addEventListener("click", () => {
  void everything(fetchOrders).then((orders) =>
    download(
      "aurex-orders.csv",
      csv([
        ["orderId", "clientOrderId", "createdAt", "symbol", "side", "type", "timeInForce", "quantity", "filled", "price", "stopPrice", "averagePrice", "status"],
        ...orders.map((o) => [o.orderId, o.clientOrderId, new Date(o.createdAt).toISOString(), o.symbol, o.side, o.type, o.timeInForce, o.quantity, o.filledQuantity, o.price, o.stopPrice, o.averagePrice, o.status]),
      ]),
    ),
  );
});
byId("fills-csv").addEventListener("click", () => {
  void everything(fetchFills).then((fills) =>
    download(
      "aurex-trades.csv",
      csv([
        ["tradeId", "orderId", "timestamp", "symbol", "side", "price", "quantity", "liquidity"],
        ...fills.map((f) => [f.tradeId, f.orderId, new Date(f.timestamp).toISOString(), f.symbol, f.side, f.price, f.quantity, f.liquidity]),
      ]),
    ),
  );
});

// -- live ---------------------------------------------------------------------------------
async function loadPrices(): Promise<void> {
  const answer = await get<{ tickers: Ticker[] }>("/api/market-data/ticker");
  for (const t of answer.tickers) {
    const cents = toCents(t.last ?? t.previousClose);
    if (cents != null) prices.set(t.symbol, cents);
  }
  renderPositions();
}

feed.onMessage((m) => {
  if (m.type === "ticker") {
    const t = m.data as Ticker;
    const cents = toCents(t.last ?? t.previousClose);
    if (cents != null) prices.set(t.symbol, cents);
    renderPositions();
  } else if (m.type === "fill") {
    const f = m.data as Fill;
    if (!allFills.some((x) => x.tradeId === f.tradeId && x.orderId === f.orderId)) allFills.push(f);
    fillPager.reloadIfFirst();
  } else if (m.type === "order") {
    orderPager.reloadIfFirst();
  }
});
mine.onChange(renderPositions);

initChrome();
feed.subscribe({ channel: "ticker" });
feed.onConnect(() => {
  void loadPrices();
  void loadAllFills();
  void orderPager.reset();
  void fillPager.reset();
});
