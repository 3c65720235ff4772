export * from "./client.js";
export * from "./producer.js";
export * from "./consumer.js";
