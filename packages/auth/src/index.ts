/** Accounts, password hashing, browser sessions, 三员分立 roles and the tamper-evident security audit. */
export * from "./roles.js";
export * from "./password.js";
export * from "./accounts.js";
export * from "./sessions.js";
export * from "./audit.js";
export * from "./totp.js";
export { ensureIndex } from "./store.js";
