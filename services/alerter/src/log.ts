import { notifyRedactPaths } from "@liaowang/notify";
import type { ServiceLogOptions } from "@liaowang/runtime";

/** The alerter's logger: notify config and targets (robot URLs embed keys; SMTP and SMS credentials) are redacted. */
export const ALERTER_LOG: ServiceLogOptions = { redact: notifyRedactPaths };
