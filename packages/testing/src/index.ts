export { isolatedEnv, type IsolatedEnv } from "./env.js";
export { waitFor, type WaitOptions } from "./wait.js";
export { spawnService, type SpawnedService } from "./service.js";
export { freePort, privateStack, privateStackReady, processesWithEnv, startStackServers, stopStackServer, type PrivateStack, type ProcessInfo } from "./stack.js";
export { startEsProxy, type EsProxy, type EsProxyMode } from "./es-proxy.js";
export { PIPELINE_SERVICES, ServiceGroup, type PipelineService, type UnexpectedExit } from "./services.js";
export { removeTempDirs, tempDir } from "./temp.js";
