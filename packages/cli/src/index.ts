export { runCli } from "./commands.js";
export { runCaptured, type CapturedRun } from "./capture.js";
export type { CliIo } from "./io.js";
