export * from "./ingest.js";
export * from "./documents.js";
export * from "./topics.js";
