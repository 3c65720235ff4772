export { isolatedEnv, type IsolatedEnv } from "./env.js";
export { waitFor, type WaitOptions } from "./wait.js";
export { spawnService, type SpawnedService } from "./service.js";
export { freePort, privateStack, processesWithEnv, type PrivateStack, type ProcessInfo } from "./stack.js";
