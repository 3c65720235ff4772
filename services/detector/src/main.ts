import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startDetector } from "./service.js";

runService("detector", ({ log, fatal }) => startDetector(loadConfig(process.env), log, fatal));
