/**
 * Node (V8) flags every service process is started with, by the launcher and by the tests and benchmark that spawn
 * services (docker-compose.yml repeats them in each service's command). Measured on enrich and the api (README,
 * "Segmenter, enrichment and memory"): by default V8 lets a semi-space grow to 16 MB and the old generation to up to
 * four times what a full collection left live, so enrich, with ~60 MB of live heap, sat at ~150 MB of heap after a
 * burst. A 4 MB semi-space, and an old-space limit of 1 GB (which also lowers V8's heap growing factor to about 1.6),
 * kept its heap near 70 MB (RSS ~250 instead of ~350 MB). The cost is more GC work: within the noise for enrich in
 * the service, up to ~25% in an in-process benchmark (README); drop these flags where CPU matters more than memory.
 * The limit is several times the largest whole-process RSS measured for any service (the detector's, ~420 MB).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4", "--max-old-space-size=1024"];
