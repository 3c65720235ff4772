import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startEvidence } from "./service.js";

runService("evidence", ({ log }) => startEvidence(loadConfig(process.env), log));
