// Charts with TradingView's lightweight-charts, loaded as an ES module from
// /static/vendor (copied there from node_modules by `npm run build`). Colours come
// from the theme's CSS variables and follow theme switches.

import type * as LWC from "lightweight-charts";
import type { Candle } from "./types.js";
import { cssVar, onThemeChange } from "./chrome.js";
import { toCents } from "./format.js";

type Lib = typeof LWC;
let lib: Promise<Lib> | null = null;

function load(): Promise<Lib> {
  lib ??= import("/static/vendor/lightweight-charts.mjs" as string) as Promise<Lib>;
  return lib;
}

function themeOptions(): LWC.DeepPartial<LWC.ChartOptions> {
  const text = cssVar("--muted");
  const grid = cssVar("--grid");
  return {
    layout: {
      background: { type: "solid" as LWC.ColorType.Solid, color: "transparent" },
      textColor: text,
      attributionLogo: false, // its injected <style> breaks the CSP; the page credits TradingView
      fontFamily: "inherit",
    },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: grid },
    timeScale: { borderColor: grid, timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  };
}

function seconds(ms: number): LWC.UTCTimestamp {
  return Math.floor(ms / 1000) as LWC.UTCTimestamp;
}

function num(price: string): number {
  return (toCents(price) ?? 0) / 100;
}

/** A candlestick chart with a volume histogram underneath. */
export class CandleChart {
  private constructor(
    private readonly chart: LWC.IChartApi,
    private readonly candles: LWC.ISeriesApi<"Candlestick">,
    private readonly volume: LWC.ISeriesApi<"Histogram">,
  ) {}

  static async create(container: HTMLElement): Promise<CandleChart> {
    const lw = await load();
    const chart = lw.createChart(container, { ...themeOptions(), autoSize: true });
    const up = cssVar("--up");
    const down = cssVar("--down");
    const candles = chart.addSeries(lw.CandlestickSeries, {
      upColor: up,
      downColor: down,
      borderVisible: false,
      wickUpColor: up,
      wickDownColor: down,
    });
    const volume = chart.addSeries(lw.HistogramSeries, {
      priceFormat: { type: "volume" },
      priceScaleId: "volume",
    });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    const instance = new CandleChart(chart, candles, volume);
    onThemeChange(() => chart.applyOptions(themeOptions()));
    return instance;
  }

  set(candles: Candle[]): void {
    const sorted = [...candles].sort((a, b) => a.start - b.start);
    this.candles.setData(sorted.map((c) => this.bar(c)));
    this.volume.setData(sorted.map((c) => this.vol(c)));
    this.chart.timeScale().fitContent();
  }

  update(candle: Candle): void {
    try {
      this.candles.update(this.bar(candle));
      this.volume.update(this.vol(candle));
    } catch {
      // an update older than the last bar (after an interval switch): ignore it
    }
  }

  private bar(c: Candle): LWC.CandlestickData<LWC.UTCTimestamp> {
    return { time: seconds(c.start), open: num(c.open), high: num(c.high), low: num(c.low), close: num(c.close) };
  }

  private vol(c: Candle): LWC.HistogramData<LWC.UTCTimestamp> {
    const color = num(c.close) >= num(c.open) ? cssVar("--up-soft") : cssVar("--down-soft");
    return { time: seconds(c.start), value: c.volume, color };
  }
}

/** An area chart of one value over time (the index). */
export class LineChart {
  private constructor(private readonly series: LWC.ISeriesApi<"Area">, private readonly chart: LWC.IChartApi) {}

  static async create(container: HTMLElement): Promise<LineChart> {
    const lw = await load();
    const chart = lw.createChart(container, { ...themeOptions(), autoSize: true });
    const accent = cssVar("--accent");
    const series = chart.addSeries(lw.AreaSeries, {
      lineColor: accent,
      topColor: cssVar("--accent-soft"),
      bottomColor: "transparent",
      lineWidth: 2,
    });
    onThemeChange(() => chart.applyOptions(themeOptions()));
    return new LineChart(series, chart);
  }

  set(points: { timestamp: number; value: string }[]): void {
    const data: LWC.AreaData<LWC.UTCTimestamp>[] = [];
    for (const p of [...points].sort((a, b) => a.timestamp - b.timestamp)) {
      const time = seconds(p.timestamp);
      const last = data[data.length - 1];
      if (last && last.time === time) last.value = Number(p.value);
      else data.push({ time, value: Number(p.value) });
    }
    this.series.setData(data);
    this.chart.timeScale().fitContent();
  }

  push(timestamp: number, value: string): void {
    try {
      this.series.update({ time: seconds(timestamp), value: Number(value) });
    } catch {
      // out of order: skip
    }
  }
}

/** A tiny SVG line of closes (built with DOM calls, no inline styles). */
export function sparkline(closes: number[], width = 96, height = 28): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("spark");
  if (closes.length < 2) return svg;
  const lo = Math.min(...closes);
  const hi = Math.max(...closes);
  const span = hi - lo || 1;
  const step = width / (closes.length - 1);
  const points = closes
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - lo) / span) * (height - 4)).toFixed(1)}`)
    .join(" ");
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", points);
  const first = closes[0] ?? 0;
  const last = closes[closes.length - 1] ?? 0;
  svg.classList.add(last > first ? "up" : last < first ? "down" : "flat");
  svg.appendChild(line);
  return svg;
}
