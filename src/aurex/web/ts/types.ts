// The JSON shapes of the REST and WebSocket APIs (aurex/gateways/wire.py).

export type Side = "buy" | "sell";
export type OrderType = "market" | "limit" | "stop" | "stop_limit";
export type TimeInForce = "gtc" | "day" | "ioc" | "fok";

export interface Ticker {
  symbol: string;
  name: string;
  last: string | null;
  lastQuantity: number;
  bid: string | null;
  bidQuantity: number;
  ask: string | null;
  askQuantity: number;
  open: string | null;
  high: string | null;
  low: string | null;
  volume: number;
  turnover: string;
  vwap: string | null;
  tradeCount: number;
  previousClose: string | null;
  change: string;
  changePercent: string;
  halted: boolean;
  timestamp: number;
}

export interface SymbolInfo {
  symbol: string;
  name: string;
  tickSize: string;
  lotSize: number;
  bandLow: string;
  bandHigh: string;
  referencePrice: string;
  lastPrice: string | null;
  status: "trading" | "halted";
}

export interface Level {
  price: string;
  quantity: number;
}

export interface Depth {
  symbol: string;
  seq: number;
  bids: Level[];
  asks: Level[];
}

export interface Trade {
  tradeId: number;
  symbol: string;
  price: string;
  quantity: number;
  aggressor: Side;
  timestamp: number;
}

export interface Candle {
  symbol: string;
  interval: string;
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  tradeCount: number;
}

export interface Constituent {
  symbol: string;
  price: string;
  weight: string;
  contribution: string;
  changePercent: string;
}

export interface IndexView {
  name: string;
  value: string;
  change: string;
  changePercent: string;
  dayOpen: string;
  dayHigh: string;
  dayLow: string;
  timestamp: number;
  constituents: Constituent[];
}

export interface Order {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  quantity: number;
  price: string | null;
  stopPrice: string | null;
  status: string;
  filledQuantity: number;
  leavesQuantity: number;
  averagePrice: string | null;
  cancelReason: string | null;
  rejectCode: number | null;
  rejectReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Fill {
  tradeId: number;
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: Side;
  price: string;
  quantity: number;
  liquidity: "maker" | "taker";
  timestamp: number;
}

export interface Position {
  symbol: string;
  shares: number;
  heldShares: number;
  availableShares: number;
}

export interface Account {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  twoFactorType: "email" | "totp";
  cashCents: number;
  cashHeldCents: number;
  buyingPowerCents: number;
  positions: Position[];
}

export interface Page<T> {
  nextCursor: string | null;
  items: T[];
}
