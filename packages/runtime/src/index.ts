export * from "./service.js";
export * from "./infra.js";
