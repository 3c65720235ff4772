/** Test helpers for @liaowang/notify; never import these from production code. */
export { MemoryOutboxStore } from "./memory-outbox-store.js";
export { describeOutboxStoreContract } from "./outbox-store-contract.js";
export { sampleNotification } from "./fixtures.js";
export { closedPort, startReceiver, type PeerReply, type ReceivedRequest, type Receiver } from "./receiver.js";
