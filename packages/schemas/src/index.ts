export * from "./ingest.js";
export * from "./documents.js";
export * from "./incidents.js";
export * from "./alerts.js";
export * from "./topics.js";
export * from "./stages.js";
export * from "./feeds.js";
export * from "./evidence.js";
