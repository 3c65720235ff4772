// The REST API from the browser: bearer token kept in localStorage (a duty desk stays signed in across
// reloads), server clock offset tracked so countdowns follow the server's time, not the desk PC's.
const TOKEN_KEY = "liaowang.token";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let offsetMs = 0;
// The CSRF token of a cookie session (from sign-in or GET /me); sent on every state-changing request.
let csrf = "";

export function setCsrf(token) {
  csrf = token ?? "";
}
const listeners = new Set();

/** Server time now (ms), corrected by the offset measured on the last API answer. */
export function serverNow() {
  return Date.now() + offsetMs;
}

export function getToken() {
  return localStorage.getItem(TOKEN_KEY) ?? "";
}

export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Called with the ApiError when a request is refused for authentication (the app shows the login). */
export function onUnauthenticated(fn) {
  listeners.add(fn);
}

/** GET/POST /api/v1/<path>; resolves with the JSON body, rejects with ApiError carrying the API's message. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
  const sentAt = Date.now();
  let res;
  try {
    res = await fetch(`/api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store", credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "unavailable", "无法连接服务器，请检查网络或服务状态");
  }
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (typeof data.now === "string") {
    const receivedAt = Date.now();
    offsetMs = Date.parse(data.now) - (sentAt + receivedAt) / 2;
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data.error ?? "internal", data.message ?? `HTTP ${res.status}`);
    error.reason = data.reason;
    if (res.status === 401 && path !== "session") for (const fn of listeners) fn(error);
    throw error;
  }
  return data;
}

/** Fetch a file from /api/v1/<path> with the bearer token and hand it to the browser as a download. */
export async function download(path, fallbackName) {
  const token = getToken();
  const res = await fetch(`/api/v1/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: "no-store", credentials: "same-origin" });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(res.status, data.error ?? "internal", data.message ?? `HTTP ${res.status}`);
  }
  const match = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get("content-disposition") ?? "");
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: match ? decodeURIComponent(match[1]) : fallbackName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
