// REST calls: JSON in and out, the CSRF header on state changes (cookie sessions),
// the trading token on order entry, and one transparent token refresh on expiry.

import { session } from "./session.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

export function cookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

interface Options {
  /** Send the session's trading token (order entry). */
  trading?: boolean;
  /** Do not try a refresh on an expired access token (the auth calls themselves). */
  noRefresh?: boolean;
}

const EXPIRED = new Set([1032, 1033, 1030]);

export async function api<T>(method: string, path: string, body?: unknown, options: Options = {}): Promise<T> {
  if (session.ended) return new Promise<T>(() => undefined); // logged out, page leaving
  const attempt = async (): Promise<Response> => {
    await session.settled();
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") {
      const csrf = cookie("csrfToken");
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    if (options.trading) {
      const tokens = await session.tokens();
      headers["X-Trading-Token"] = tokens.tradingToken;
    }
    return fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? null : JSON.stringify(body),
    });
  };
  let response = await attempt();
  if (response.status === 401 && !options.noRefresh) {
    const error = await readError(response.clone());
    if (EXPIRED.has(error.code) && (await session.refresh())) response = await attempt();
  }
  if (!response.ok) throw await readError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function readError(response: Response): Promise<ApiError> {
  let code = 0;
  let message = `${response.status} ${response.statusText}`;
  try {
    const data = (await response.json()) as { code?: number; message?: string };
    code = data.code ?? 0;
    message = data.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  const retry = response.headers.get("Retry-After");
  return new ApiError(response.status, code, message, retry ? Number(retry) : null);
}

export const get = <T>(path: string): Promise<T> => api<T>("GET", path);
