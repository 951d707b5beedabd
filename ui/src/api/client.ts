// A small typed fetch client: bearer token, JSON bodies, and every error turned into words for the user.
import type { components } from "./schema";

export type ErrorBody = components["schemas"]["ErrorBody"];

export const API = "/seldon-deploy/api/v1alpha1";

/** An answer other than 2xx, or no answer at all; `message` is what the user reads. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.reason = reason;
  }
}

function isErrorBody(value: unknown): value is Pick<ErrorBody, "message"> & Partial<ErrorBody> {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

/** The error of a failed response, from Warden's common `{"code","reason","message"}` body when there is one. */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.reason ?? String(body.code ?? response.status), body.message);
  }
  if (typeof body === "object" && body !== null && "error_description" in body) {
    // The OAuth2 token endpoint answers RFC 6749 errors.
    const oauth = body as { error?: unknown; error_description?: unknown };
    return new ApiError(response.status, String(oauth.error ?? "oauth_error"), String(oauth.error_description));
  }
  const detail = text.trim().slice(0, 200);
  const status = `${response.status}${response.statusText ? " " + response.statusText : ""}`;
  return new ApiError(response.status, "http_error", detail ? `${status}: ${detail}` : `the server answered ${status}`);
}

/** What to show the user for any error thrown while talking to Warden. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return `You are not signed in or your session has expired: ${error.message}`;
    if (error.status === 403) return `You are not allowed to do this: ${error.message}`;
    return error.message;
  }
  if (error instanceof TypeError) return `Warden could not be reached (${error.message}). Is it running?`;
  return error instanceof Error ? error.message : String(error);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** Calls Warden with the current token; `onUnauthorized` runs on a 401 (the app then asks to sign in again). */
export class Client {
  constructor(
    private readonly token: () => string | null,
    private readonly onUnauthorized: () => void = () => {},
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method: options.method ?? "GET", headers };
    if (options.signal) init.signal = options.signal;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    const response = await this.fetcher(path, init);
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) this.onUnauthorized();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A GET whose answer is not JSON (text, a stream): the successful Response itself, errors as `request`'s. */
  async raw(path: string, options: { accept: string; signal?: AbortSignal }): Promise<Response> {
    const headers: Record<string, string> = { Accept: options.accept };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method: "GET", headers };
    if (options.signal) init.signal = options.signal;
    const response = await this.fetcher(path, init);
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) this.onUnauthorized();
      throw error;
    }
    return response;
  }
}

/** One path segment, quoted: names never change the path's shape. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
