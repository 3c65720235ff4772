/** Notification channels, signed acknowledge links, rate limiting and the delivery outbox. */
export * from "./notification.js";
export * from "./config.js";
export * from "./render.js";
export * from "./ack-link.js";
export * from "./rate-limit.js";
export * from "./aggregate.js";
export * from "./outbox.js";
export * from "./outbox-store.js";
export * from "./dispatch.js";
export * from "./router.js";
export { DEFAULT_HTTP_TIMEOUT_MS, type FetchLike, type HttpChannelOptions } from "./http.js";
export * from "./channels/webhook.js";
export * from "./channels/wecom.js";
export * from "./channels/dingtalk.js";
export * from "./channels/email.js";
export * from "./channels/sms.js";
export * from "./channels/email-report.js";
