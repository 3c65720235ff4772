export * from "./service.js";
export * from "./infra.js";
export * from "./cron.js";
export * from "./stage-health.js";
