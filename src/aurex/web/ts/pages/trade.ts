// The trading page of one symbol: candles with volume, the live L2 ladder, recent
// trades, the order ticket with its cost and hold preview, open orders and fills.

import { initChrome } from "../chrome.js";
import { feed, type Subscription } from "../live.js";
import { api, get } from "../api.js";
import { Book, type Change } from "../book.js";
import { CandleChart } from "../chart.js";
import { MyOrders } from "../orders.js";
import { busy, byId, fill, formValues, h, setChange } from "../dom.js";
import { centsToWire, direction, fmtCents, fmtPercent, fmtPrice, fmtQty, fmtTime, toCents } from "../format.js";
import { explain } from "../words.js";
import type { Candle, Depth, Order, SymbolInfo, Ticker, Trade } from "../types.js";

const symbol = document.body.dataset.symbol ?? "AAPL";
const COLLAR = 0.1; // a market buy holds up to 10% above the mark price
const LEVELS = 10;
let interval = localStorage.getItem("aurex-interval") ?? "1m";
let ticker: Ticker | null = null;
let info: SymbolInfo | null = null;
let chart: CandleChart | null = null;
let trades: Trade[] = [];
const bookSub: Subscription = { channel: "book", symbol };
const book = new Book(() => feed.resubscribe(bookSub));
const mine = new MyOrders();
const ticket = byId<HTMLFormElement>("ticket");

// -- quote -------------------------------------------------------------------------
function showTicker(t: Ticker): void {
  ticker = t;
  byId("q-last").textContent = fmtPrice(t.last ?? t.previousClose);
  setChange(byId("q-change"), `${Number(t.change) > 0 ? "+" : ""}${t.change} (${fmtPercent(t.changePercent)})`, direction(Number(t.change)));
  byId("q-volume").textContent = fmtQty(t.volume);
  byId("q-status").hidden = !t.halted;
  document.title = `${symbol} ${fmtPrice(t.last ?? t.previousClose)} · Aurex`;
  preview();
}

// -- book --------------------------------------------------------------------------
function ladderRow(side: "buy" | "sell", price: number, qty: number, max: number): HTMLTableRowElement {
  const bar = h("span", { class: "bar", "aria-hidden": "true" });
  bar.style.width = `${Math.round((qty / max) * 100)}%`;
  const button = h("button", { type: "button", class: "price-pick", "aria-label": `Use price ${centsToWire(price)}` }, fmtCents(price));
  button.addEventListener("click", () => {
    ticket.querySelector<HTMLInputElement>("[name=price]")!.value = centsToWire(price);
    preview();
  });
  return h("tr", { class: side, "data-price": centsToWire(price), "data-quantity": qty }, h("td", { class: "num" }, button), h("td", { class: "num" }, bar, fmtQty(qty)));
}

let bookQueued = false;
function renderBook(): void {
  bookQueued = false;
  const bids = book.levels("buy", LEVELS);
  const asks = book.levels("sell", LEVELS);
  const max = Math.max(1, ...bids.map((l) => l[1]), ...asks.map((l) => l[1]));
  fill(byId("asks"), [...asks].reverse().map(([p, q]) => ladderRow("sell", p, q, max)));
  fill(byId("bids"), bids.map(([p, q]) => ladderRow("buy", p, q, max)));
  const bestBid = bids[0]?.[0];
  const bestAsk = asks[0]?.[0];
  byId("spread").textContent =
    bestBid !== undefined && bestAsk !== undefined ? `Spread ${fmtCents(bestAsk - bestBid)}` : bids.length || asks.length ? "One-sided book" : "No orders yet";
  byId("ladder").dataset.seq = String(book.seq);
  preview();
}

function queueBook(): void {
  if (bookQueued) return;
  bookQueued = true;
  requestAnimationFrame(renderBook);
}

// -- trades and candles ----------------------------------------------------------------
function renderTrades(): void {
  fill(
    byId("trades").querySelector("tbody")!,
    trades.slice(0, 40).map((t) =>
      h("tr", {}, h("td", {}, fmtTime(t.timestamp)), h("td", { class: `num ${t.aggressor === "buy" ? "up" : "down"}` }, fmtPrice(t.price)), h("td", { class: "num" }, fmtQty(t.quantity))),
    ),
  );
}

async function loadCandles(): Promise<void> {
  chart ??= await CandleChart.create(byId("price-chart"));
  const answer = await get<{ candles: Candle[] }>(`/api/market-data/candles/${symbol}?interval=${interval}&limit=300`);
  chart.set(answer.candles);
}

function setInterval_(next: string): void {
  feed.unsubscribe({ channel: "candles", symbol, interval });
  interval = next;
  localStorage.setItem("aurex-interval", next);
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>("[data-interval]"))) {
    b.setAttribute("aria-pressed", String(b.dataset.interval === next));
  }
  feed.subscribe({ channel: "candles", symbol, interval });
  void loadCandles();
}

// -- ticket ------------------------------------------------------------------------------
function ticketValues(): Record<string, string> {
  return formValues(ticket);
}

function syncTicket(): void {
  const v = ticketValues();
  const type = v.type ?? "limit";
  const priced = type === "limit" || type === "stop_limit";
  const stopped = type === "stop" || type === "stop_limit";
  ticket.querySelector<HTMLElement>("[data-for=price]")!.hidden = !priced;
  ticket.querySelector<HTMLElement>("[data-for=stopPrice]")!.hidden = !stopped;
  const tif = ticket.querySelector<HTMLSelectElement>("[name=timeInForce]")!;
  if (type === "market" && (tif.value === "gtc" || tif.value === "day")) tif.value = "ioc";
  const buy = v.side !== "sell";
  const submit = byId<HTMLButtonElement>("submit-order");
  submit.textContent = `${buy ? "Buy" : "Sell"} ${symbol}`;
  submit.className = buy ? "buy" : "sell";
  preview();
}

/** What the order would cost (or bring) and what it holds while open. */
function preview(): void {
  const v = ticketValues();
  const qty = Math.max(0, Math.floor(Number(v.quantity) || 0));
  const buy = v.side !== "sell";
  const type = v.type ?? "limit";
  const limit = toCents(v.price);
  const stop = toCents(v.stopPrice);
  const mark = toCents(ticker?.last ?? null) ?? toCents(info?.referencePrice ?? null) ?? 0;
  let cost: number | null = null;
  if (type === "limit" || type === "stop_limit") cost = limit == null ? null : limit * qty;
  else if (type === "stop") cost = stop == null ? null : stop * qty;
  else cost = walk(buy ? "sell" : "buy", qty) ?? mark * qty;
  let hold: string;
  if (buy) {
    const per = type === "limit" || type === "stop_limit" ? limit : Math.floor((type === "stop" ? stop ?? 0 : mark) * (1 + COLLAR));
    hold = per == null ? "—" : fmtCents(per * qty);
  } else {
    hold = `${fmtQty(qty)} shares`;
  }
  byId("pv-cost-label").textContent = buy ? "Estimated cost" : "Estimated proceeds";
  byId("pv-cost").textContent = cost == null ? "—" : fmtCents(cost);
  byId("pv-hold").textContent = hold;
  const account = mine.account;
  if (buy) {
    byId("pv-avail-label").textContent = "Buying power";
    byId("pv-avail").textContent = account ? fmtCents(account.buyingPowerCents) : "—";
  } else {
    const pos = account?.positions.find((p) => p.symbol === symbol);
    byId("pv-avail-label").textContent = "Shares available";
    byId("pv-avail").textContent = fmtQty(pos?.availableShares ?? 0);
  }
}

/** The cost of taking ``qty`` from one side of the book, or null if it is too thin. */
function walk(side: "buy" | "sell", qty: number): number | null {
  let left = qty;
  let total = 0;
  for (const [price, size] of book.levels(side)) {
    const take = Math.min(left, size);
    total += take * price;
    left -= take;
    if (left === 0) return total;
  }
  return null;
}

function newClientId(): string {
  return `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

ticket.addEventListener("input", syncTicket);
ticket.addEventListener("submit", (event) => {
  event.preventDefault();
  const v = ticketValues();
  const error = byId("ticket-error");
  const ok = byId("ticket-ok");
  error.textContent = "";
  ok.textContent = "";
  const type = v.type ?? "limit";
  const body: Record<string, unknown> = {
    clientOrderId: newClientId(),
    symbol,
    side: v.side ?? "buy",
    type,
    timeInForce: v.timeInForce ?? "gtc",
    quantity: Number(v.quantity),
  };
  if (type === "limit" || type === "stop_limit") body.price = v.price;
  if (type === "stop" || type === "stop_limit") body.stopPrice = v.stopPrice;
  if (v.postOnly) body.postOnly = true;
  if (v.selfTradePrevention) body.selfTradePrevention = v.selfTradePrevention;
  void busy(ticket, async () => {
    try {
      const answer = await api<{ order: Order; fills: unknown[] }>("POST", "/api/trading/orders", body, { trading: true });
      mine.upsert(answer.order);
      const o = answer.order;
      if (o.status === "rejected") error.textContent = explain(new Error(o.rejectReason ?? "rejected"));
      else ok.textContent = `Order ${o.orderId} ${o.status.replace("_", " ")}: ${o.filledQuantity} of ${o.quantity} filled.`;
    } catch (err) {
      error.textContent = explain(err);
    }
  });
});

// -- my orders ---------------------------------------------------------------------------
const dialog = byId<HTMLDialogElement>("amend-dialog");
const amendForm = byId<HTMLFormElement>("amend-form");
let amending: Order | null = null;

function renderMine(): void {
  const orders = [...mine.open.values()].sort((a, b) => b.createdAt - a.createdAt);
  fill(
    byId("open-orders").querySelector("tbody")!,
    orders.length
      ? orders.map((o) => {
          const cancel = h("button", { type: "button", class: "ghost small", "aria-label": `Cancel order ${o.orderId}` }, "Cancel");
          cancel.addEventListener("click", () => void mine.cancel(o.orderId).catch((e: unknown) => (byId("ticket-error").textContent = explain(e))));
          const amend = h("button", { type: "button", class: "ghost small", "aria-label": `Amend order ${o.orderId}` }, "Amend");
          amend.addEventListener("click", () => openAmend(o));
          return h(
            "tr",
            { "data-order-id": o.orderId },
            h("td", {}, h("a", { href: `/app/trade/${o.symbol}` }, o.symbol)),
            h("td", { class: o.side === "buy" ? "up" : "down" }, o.side),
            h("td", {}, o.type.replace("_", " ")),
            h("td", { class: "num" }, fmtQty(o.quantity)),
            h("td", { class: "num" }, fmtQty(o.filledQuantity)),
            h("td", { class: "num" }, fmtPrice(o.price ?? o.stopPrice)),
            h("td", {}, o.status.replace("_", " ")),
            h("td", { class: "actions" }, amend, cancel),
          );
        })
      : [h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No open orders"))],
  );
  fill(
    byId("fills").querySelector("tbody")!,
    mine.fills.length
      ? mine.fills.slice(0, 30).map((f) =>
          h("tr", {}, h("td", {}, fmtTime(f.timestamp)), h("td", {}, f.symbol), h("td", { class: f.side === "buy" ? "up" : "down" }, f.side), h("td", { class: "num" }, fmtPrice(f.price)), h("td", { class: "num" }, fmtQty(f.quantity)), h("td", {}, f.liquidity)),
        )
      : [h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No fills yet"))],
  );
  preview();
}

function openAmend(order: Order): void {
  amending = order;
  amendForm.querySelector<HTMLInputElement>("[name=quantity]")!.value = String(order.quantity);
  amendForm.querySelector<HTMLInputElement>("[name=price]")!.value = order.price ?? "";
  byId("amend-error").textContent = "";
  dialog.showModal();
}

amendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!amending) return;
  const v = formValues(amendForm);
  const change: { quantity?: number; price?: string } = {};
  if (Number(v.quantity) !== amending.quantity) change.quantity = Number(v.quantity);
  if (v.price && v.price !== amending.price) change.price = v.price;
  const id = amending.orderId;
  void busy(amendForm, async () => {
    try {
      await mine.amend(id, change);
      dialog.close();
    } catch (err) {
      byId("amend-error").textContent = explain(err);
    }
  });
});
byId("amend-cancel").addEventListener("click", () => dialog.close());

// -- wiring ------------------------------------------------------------------------------
async function loadSymbols(): Promise<void> {
  const answer = await get<{ symbols: SymbolInfo[] }>("/api/market-data/symbols");
  info = answer.symbols.find((s) => s.symbol === symbol) ?? null;
  const select = byId<HTMLSelectElement>("symbol-select");
  fill(select, answer.symbols.map((s) => h("option", { value: s.symbol, selected: s.symbol === symbol }, `${s.symbol} · ${s.name}`)));
  select.addEventListener("change", () => location.assign(`/app/trade/${select.value}`));
  if (info) byId("sym-title").textContent = `${symbol} · ${info.name}`;
}

async function loadMarket(): Promise<void> {
  const [t, recent] = await Promise.all([
    get<Ticker>(`/api/market-data/ticker/${symbol}`),
    get<{ trades: Trade[] }>(`/api/market-data/trades/${symbol}?limit=40`),
  ]);
  showTicker(t);
  trades = recent.trades.sort((a, b) => b.timestamp - a.timestamp || b.tradeId - a.tradeId);
  renderTrades();
  await loadCandles();
}

feed.onMessage((m) => {
  if (m.type === "book" && m.symbol === symbol) {
    if (m.kind === "snapshot") book.snapshot(m as unknown as Depth);
    else book.apply(m.changes as Change[]);
    queueBook();
  } else if (m.type === "ticker" && (m.data as Ticker).symbol === symbol) {
    showTicker(m.data as Ticker);
  } else if (m.type === "trades" && m.symbol === symbol) {
    trades = [...(m.trades as Trade[]).reverse(), ...trades].slice(0, 100);
    renderTrades();
  } else if (m.type === "candle") {
    const c = m.data as Candle;
    if (c.symbol === symbol && c.interval === interval) chart?.update(c);
  }
});

initChrome();
for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>("[data-interval]"))) {
  b.setAttribute("aria-pressed", String(b.dataset.interval === interval));
  b.addEventListener("click", () => setInterval_(b.dataset.interval ?? "1m"));
}
mine.onChange(renderMine);
feed.subscribe({ channel: "ticker", symbol });
feed.subscribe(bookSub);
feed.subscribe({ channel: "trades", symbol });
feed.subscribe({ channel: "candles", symbol, interval });
feed.onConnect(() => void loadMarket());
syncTicket();
void loadSymbols();
