import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { ALERTER_LOG } from "./log.js";
import { startAlerter } from "./service.js";

runService("alerter", ({ log, fatal }) => startAlerter(loadConfig(process.env), log, fatal), ALERTER_LOG);
