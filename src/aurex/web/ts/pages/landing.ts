// Landing page: the live TOP10 value and today's movers.

import { initChrome } from "../chrome.js";
import { feed } from "../live.js";
import { byId, fill, h, setChange } from "../dom.js";
import { get } from "../api.js";
import { direction, fmtPercent, fmtPrice, fmtQty } from "../format.js";
import type { IndexView, Ticker } from "../types.js";

const tickers = new Map<string, Ticker>();

function showIndex(index: IndexView): void {
  byId("idx-value").textContent = index.value;
  setChange(byId("idx-change"), `${Number(index.change) > 0 ? "+" : ""}${index.change} (${fmtPercent(index.changePercent)})`, direction(Number(index.change)));
  byId("idx-range").textContent = `Day range ${index.dayLow} – ${index.dayHigh}`;
}

function showMovers(): void {
  const rows = [...tickers.values()].sort(
    (a, b) => Math.abs(Number(b.changePercent)) - Math.abs(Number(a.changePercent)) || b.volume - a.volume,
  );
  fill(
    byId("movers").querySelector("tbody")!,
    rows.map((t) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, t.symbol),
        h("td", {}, t.name),
        h("td", { class: "num" }, fmtPrice(t.last ?? t.previousClose)),
        h("td", { class: `num ${direction(Number(t.changePercent))}` }, fmtPercent(t.changePercent)),
        h("td", { class: "num" }, fmtQty(t.volume)),
      ),
    ),
  );
}

async function load(): Promise<void> {
  const [index, list] = await Promise.all([
    get<IndexView>("/api/market-data/index"),
    get<{ tickers: Ticker[] }>("/api/market-data/ticker"),
  ]);
  showIndex(index);
  for (const t of list.tickers) tickers.set(t.symbol, t);
  showMovers();
}

initChrome();
feed.onMessage((m) => {
  if (m.type === "index") showIndex(m.data as IndexView);
  if (m.type === "ticker") {
    const t = m.data as Ticker;
    tickers.set(t.symbol, t);
    showMovers();
  }
});
feed.subscribe({ channel: "index" });
feed.subscribe({ channel: "ticker" });
void load();
