import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startEnrich } from "./service.js";

runService("enrich", ({ log, fatal }) => startEnrich(loadConfig(process.env), log, fatal));
