import { afterAll } from "vitest";
import { createEsClient } from "@liaowang/es";
import { describeOutboxStoreContract } from "@liaowang/notify/testing";
import { alertIndices } from "@liaowang/schemas";
import { isolatedEnv } from "@liaowang/testing";
import { EsOutboxStore } from "../src/store/outbox.js";

// The same contract the in-memory store passes in unit tests, against the real Elasticsearch store.
const { env, indexPrefix } = isolatedEnv("alerter-outbox");
const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix });
let n = 0;

afterAll(async () => {
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describeOutboxStoreContract(
  "elasticsearch",
  async () => {
    const store = new EsOutboxStore(es, alertIndices(`${indexPrefix}${++n}-`));
    await store.init();
    return store;
  },
  (store) => store.refresh(),
);
