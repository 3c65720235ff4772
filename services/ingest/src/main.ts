import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startIngest } from "./service.js";

runService("ingest", ({ log }) => startIngest(loadConfig(process.env), log));
