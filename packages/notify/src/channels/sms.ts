import type { SmsGatewayConfig } from "../config.js";
import { httpFailure, isDeliveryResult, isSuccess, postJson, type HttpChannelOptions } from "../http.js";
import type { Channel, DeliveryResult, Notification, SmsTarget } from "../notification.js";
import { renderSms } from "../render.js";

/** The JSON body the SMS gateway gets. */
export interface SmsGatewayPayload {
  to: string[];
  text: string;
  idempotencyKey: string;
}

/** The gateway body for one notification, text already fitted to the configured SMS parts. */
export function smsPayload(message: Notification, target: SmsTarget, gateway: Pick<SmsGatewayConfig, "signName" | "maxSegments">): SmsGatewayPayload {
  return { to: target.to, text: renderSms(message, gateway), idempotencyKey: message.idempotencyKey };
}

/**
 * SMS through a generic HTTP gateway: JSON POST `{ to, text, idempotencyKey }`, `Authorization: Bearer`.
 * @example await createSmsChannel(config.sms).send(notification, { channel: "sms", to: ["13800000000"] })
 */
export function createSmsChannel(gateway: SmsGatewayConfig, options: HttpChannelOptions = {}): Channel<SmsTarget> {
  const clock = options.clock ?? Date.now;
  return {
    kind: "sms",
    async send(message: Notification, target: SmsTarget): Promise<DeliveryResult> {
      const body = JSON.stringify(smsPayload(message, target, gateway));
      const reply = await postJson(gateway.url, body, { authorization: `Bearer ${gateway.token}`, "Idempotency-Key": message.idempotencyKey }, options);
      if (isDeliveryResult(reply)) return reply;
      if (!isSuccess(reply.status)) return httpFailure(reply, clock());
      return { ok: true, retriable: false, status: reply.status, ...providerId(reply.text) };
    },
  };
}

function providerId(text: string): { providerMessageId?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "id" in parsed && (typeof parsed.id === "string" || typeof parsed.id === "number")) {
      return { providerMessageId: String(parsed.id) };
    }
  } catch {
    // Gateways differ; a reply without a JSON id is still a success.
  }
  return {};
}
