// Dashboard: TOP10 with its intraday chart and constituents, every symbol live
// with a sparkline, and the day's gainers, losers and most active.

import { initChrome } from "../chrome.js";
import { feed } from "../live.js";
import { get } from "../api.js";
import { session } from "../session.js";
import { byId, fill, h, setChange } from "../dom.js";
import { LineChart, sparkline } from "../chart.js";
import { direction, fmtCompact, fmtPercent, fmtPrice, fmtQty, toCents } from "../format.js";
import type { Candle, IndexView, Ticker } from "../types.js";

const tickers = new Map<string, Ticker>();
const closes = new Map<string, number[]>();
let indexChart: LineChart | null = null;
let rendering = false;

function showIndex(index: IndexView): void {
  byId("idx-value").textContent = index.value;
  const change = Number(index.change);
  setChange(byId("idx-change"), `${change > 0 ? "+" : ""}${index.change} (${fmtPercent(index.changePercent)})`, direction(change));
  indexChart?.push(index.timestamp, index.value);
  fill(
    byId("constituents").querySelector("tbody")!,
    index.constituents.map((c) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, h("a", { href: `/app/trade/${c.symbol}` }, c.symbol)),
        h("td", { class: "num" }, fmtPrice(c.price)),
        h("td", { class: "num" }, `${(Number(c.weight) * 100).toFixed(1)}%`),
        h("td", { class: `num ${direction(Number(c.changePercent))}` }, fmtPercent(c.changePercent)),
      ),
    ),
  );
}

function moverItem(t: Ticker, value: string, cls: string): HTMLLIElement {
  return h("li", {}, h("a", { href: `/app/trade/${t.symbol}` }, t.symbol), h("span", { class: `num ${cls}` }, value));
}

function render(): void {
  rendering = false;
  const all = [...tickers.values()];
  const rows = all.sort((a, b) => a.symbol.localeCompare(b.symbol));
  fill(
    byId("symbols").querySelector("tbody")!,
    rows.map((t) => {
      const dir = direction(Number(t.changePercent));
      return h(
        "tr",
        { "data-symbol": t.symbol },
        h("th", { scope: "row" }, h("a", { href: `/app/trade/${t.symbol}` }, t.symbol)),
        h("td", { class: "hide-narrow" }, t.name),
        h("td", { class: "num" }, fmtPrice(t.last ?? t.previousClose)),
        h("td", { class: `num ${dir}` }, fmtPercent(t.changePercent)),
        h("td", { class: "num hide-narrow" }, fmtQty(t.volume)),
        h("td", {}, sparkline(closes.get(t.symbol) ?? [])),
      );
    }),
  );
  const byChange = [...all].sort((a, b) => Number(b.changePercent) - Number(a.changePercent));
  fill(byId("gainers"), byChange.filter((t) => Number(t.changePercent) > 0).slice(0, 5).map((t) => moverItem(t, fmtPercent(t.changePercent), "up")));
  fill(byId("losers"), byChange.reverse().filter((t) => Number(t.changePercent) < 0).slice(0, 5).map((t) => moverItem(t, fmtPercent(t.changePercent), "down")));
  fill(byId("active"), [...all].filter((t) => t.volume > 0).sort((a, b) => b.volume - a.volume).slice(0, 5).map((t) => moverItem(t, fmtCompact(t.volume), "")));
  for (const id of ["gainers", "losers", "active"]) {
    const list = byId(id);
    if (!list.children.length) list.appendChild(h("li", { class: "muted" }, "None yet today"));
  }
}

function schedule(): void {
  if (rendering) return;
  rendering = true;
  requestAnimationFrame(render);
}

async function loadSparks(symbols: string[]): Promise<void> {
  await Promise.all(
    symbols.map(async (symbol) => {
      const answer = await get<{ candles: Candle[] }>(`/api/market-data/candles/${symbol}?interval=5m&limit=96`);
      closes.set(symbol, answer.candles.sort((a, b) => a.start - b.start).map((c) => (toCents(c.close) ?? 0) / 100));
    }),
  );
  schedule();
}

async function load(): Promise<void> {
  const [index, list, history] = await Promise.all([
    get<IndexView>("/api/market-data/index"),
    get<{ tickers: Ticker[] }>("/api/market-data/ticker"),
    get<{ points: { timestamp: number; value: string }[] }>("/api/market-data/index/TOP10/history?limit=1000"),
  ]);
  for (const t of list.tickers) tickers.set(t.symbol, t);
  indexChart ??= await LineChart.create(byId("idx-chart"));
  indexChart.set(history.points);
  showIndex(index);
  schedule();
  await loadSparks(list.tickers.map((t) => t.symbol));
}

initChrome();
void session.tokens();
feed.onMessage((m) => {
  if (m.type === "index") showIndex(m.data as IndexView);
  else if (m.type === "ticker") {
    const t = m.data as Ticker;
    tickers.set(t.symbol, t);
    const last = toCents(t.last);
    const series = closes.get(t.symbol);
    if (last != null && series) {
      series.push(last / 100);
      if (series.length > 120) series.shift();
    }
    schedule();
  }
});
feed.subscribe({ channel: "index" });
feed.subscribe({ channel: "ticker" });
feed.onConnect(() => void load());
