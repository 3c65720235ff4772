import { httpFailure, isSuccess, type HttpReply } from "../http.js";
import type { DeliveryResult } from "../notification.js";

/** How a robot vendor's errcode should be treated. */
export interface ErrcodeRule {
  retriable: boolean;
  retryAfterMs?: number;
}

/**
 * Both robot APIs answer HTTP 200 with `{ errcode, errmsg }`; errcode 0 is the only success.
 * Unknown non-zero codes are permanent (bad key, bad format, keyword/sign mismatch).
 */
export function robotResult(reply: HttpReply, now: number, vendor: string, rules: Record<number, ErrcodeRule>): DeliveryResult {
  if (!isSuccess(reply.status)) return httpFailure(reply, now);
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.text);
  } catch {
    // A 2xx that is not the vendor's JSON comes from something in between (proxy, captive portal):
    // the message most likely did not arrive, and a duplicate beats a lost alert.
    return { ok: false, retriable: true, status: reply.status, error: `${vendor} replied with non-JSON: ${reply.text.slice(0, 120)}` };
  }
  const errcode = parsed && typeof parsed === "object" && "errcode" in parsed ? Number((parsed as { errcode: unknown }).errcode) : NaN;
  const errmsg = parsed && typeof parsed === "object" && "errmsg" in parsed ? String((parsed as { errmsg: unknown }).errmsg) : "";
  if (errcode === 0) return { ok: true, retriable: false, status: 0 };
  if (Number.isNaN(errcode)) return { ok: false, retriable: true, status: reply.status, error: `${vendor} reply without errcode` };
  const rule = rules[errcode] ?? { retriable: false };
  return {
    ok: false,
    retriable: rule.retriable,
    status: errcode,
    error: `${vendor} errcode ${errcode}: ${errmsg.slice(0, 200)}`,
    ...(rule.retryAfterMs === undefined ? {} : { retryAfterMs: rule.retryAfterMs }),
  };
}
