export * from "./env.js";
export * from "./files.js";
export * from "./common.js";
export * from "./interpolate.js";
export * from "./watch.js";
export * from "./node-flags.js";
