/** Pure alerting domain: lifecycle, statutory clocks, routing, reminders, escalation and accountability. */
export * from "./config.js";
export * from "./duration.js";
export * from "./incident.js";
export * from "./clocks.js";
export * from "./routing.js";
export * from "./recipients.js";
export * from "./quiet-hours.js";
export * from "./schedule.js";
export * from "./lifecycle.js";
export * from "./message.js";
export * from "./accountability.js";
export { beijingTime } from "./time.js";
export * from "./digest.js";
export * from "./calendar.js";
export * from "./holidays.js";
export * from "./roster.js";
export * from "./policy.js";
export * from "./brief.js";
