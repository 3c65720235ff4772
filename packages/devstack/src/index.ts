export { ES_VERSION, KAFKA_VERSION, stackLayout, type StackLayout } from "./layout.js";
export { fetchArtifacts } from "./artifacts.js";
export { stackDown, stackStatus, stackUp, type ComponentStatus, type StackOptions } from "./stack.js";
export { runStackCommand } from "./cli.js";
