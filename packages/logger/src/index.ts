import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

/** Paths pino censors in every log line: credentials, tokens and webhook URLs (which embed robot keys). */
export const redactPaths = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "webhookUrl",
  "*.webhookUrl",
  "*.*.password",
  "*.*.secret",
  "*.*.token",
  "*.*.webhookUrl",
];

/**
 * The one logger factory: JSON lines on stdout, service name bound, secrets redacted.
 * @example const log = createLogger({ service: "indexer" }); log.child({ module: "bulk" }).info("flushed");
 */
export function createLogger(options: { service: string; level?: string; extraRedact?: string[]; destination?: NodeJS.WritableStream }): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    base: { service: options.service },
    redact: { paths: [...redactPaths, ...(options.extraRedact ?? [])], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
