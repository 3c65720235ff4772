import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startApi } from "./service.js";

runService("api", ({ log }) => startApi(loadConfig(process.env), log));
