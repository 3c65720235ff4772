import { setFlagsFromString } from "node:v8";
import { runService } from "@liaowang/runtime";
import { loadConfig } from "./config.js";
import { startDetector } from "./service.js";

// The detector holds ~100 MB of live state (open incidents and their index) and allocates fast per post: by default
// V8 lets the old generation grow to about twice the live size before a full collection, which kept its RSS near
// 400 MB. Growing it by 40% instead holds it near 300 MB for no measurable CPU (bench/README.md, detector). Read by V8 at
// each collection, so setting it here, before the state is loaded, takes effect.
setFlagsFromString("--heap-growing-percent=40");
// Open incidents are replaced by new versions as posts join them, so the old generation is full of holes: by default a
// full collection moves only the few pages that are ~70% empty (at most 4 MB), and at the bench's 200 posts/s ~68 MB
// of the old generation's ~155 MB was free space held as RSS. Compacting at every full collection gives it back
// (bench/README.md, "The detector's resident memory"). Read by V8 at each full collection.
setFlagsFromString("--compact-on-every-full-gc");

runService("detector", ({ log, fatal }) => startDetector(loadConfig(process.env), log, fatal));
