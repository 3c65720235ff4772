import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startIndexer } from "./service.js";

runService("indexer", ({ log, fatal }) => startIndexer(loadConfig(process.env), log, fatal));
