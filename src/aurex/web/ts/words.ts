// The engine's and gateway's refusals in plain words; the server's message is kept
// as the detail so nothing is lost.

import { ApiError } from "./api.js";

const PLAIN: Record<number, string> = {
  100: "This symbol is not listed on Aurex.",
  101: "Trading in this symbol is halted right now.",
  102: "The quantity must be a whole number of shares above zero.",
  103: "The quantity must be a multiple of the symbol's lot size.",
  104: "The price is not valid.",
  105: "The price must be a multiple of the tick size (one cent).",
  106: "The price is outside today's allowed price band for this symbol.",
  107: "The stop price is not valid for this order.",
  108: "A post-only order would have traded immediately, so it was not placed.",
  109: "Post only applies to limit orders.",
  110: "This time in force cannot be used with this order type.",
  111: "The client order id is not valid or already used by an open order.",
  200: "Your trading account is not open yet.",
  201: "Not enough buying power for this order.",
  202: "You do not hold enough shares to sell that many.",
  203: "The quantity is above the largest order size allowed.",
  204: "The order's value is above the largest order value allowed.",
  205: "You have too many open orders; cancel some first.",
  206: "You have reached today's limit on the number of orders.",
  300: "That order is no longer open.",
  301: "This order cannot be amended.",
  302: "The amendment changes nothing.",
  303: "The new quantity is below what has already been filled.",
  1000: "Some fields are missing or not valid.",
  1001: "Wrong e-mail or password.",
  1002: "An account with this e-mail already exists.",
  1003: "The password does not meet the rules.",
  1004: "That e-mail address is not valid.",
  1010: "Please start again with your e-mail and password.",
  1011: "That code is not right.",
  1012: "That code has expired; ask for a new one.",
  1013: "That code was already used; wait for the next one.",
  1014: "Too many wrong codes; log in again for a new one.",
  1015: "A code was sent very recently; please wait a minute.",
  1020: "Too many attempts; please wait before trying again.",
  1021: "Too many requests from this address; please wait.",
  1034: "Your session needs reloading; refresh the page.",
  1044: "Your trading account is being opened; try again shortly.",
  2006: "Please log in again to trade.",
  2020: "Too many trading requests; slow down a little.",
  2030: "The exchange is not accepting orders right now.",
};

/** A sentence for a failed request: the plain reason, then the server's own words. */
export function explain(error: unknown): string {
  if (error instanceof ApiError) {
    const plain = PLAIN[error.code];
    const wait = error.retryAfter ? ` Try again in ${error.retryAfter} s.` : "";
    if (plain && plain.toLowerCase() !== error.message.toLowerCase()) {
      return `${plain} (${error.message})${wait}`;
    }
    return `${error.message}${wait}`;
  }
  if (error instanceof TypeError) return "The exchange cannot be reached. Check your connection.";
  return error instanceof Error ? error.message : String(error);
}
