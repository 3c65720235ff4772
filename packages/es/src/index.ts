export * from "./client.js";
export * from "./templates.js";
export * from "./bulk.js";
export * from "./documents.js";
export * from "./search.js";
export * from "./trends.js";
export * from "./retention.js";
export * from "./live-config.js";
