import { MemoryOutboxStore } from "./testing/memory-outbox-store.js";
import { describeOutboxStoreContract } from "./testing/outbox-store-contract.js";

describeOutboxStoreContract("in-memory", async () => new MemoryOutboxStore());
