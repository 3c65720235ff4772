import { parseFeed, parseFeedBounded } from "./src/index.js";
const opts = { source: "s", fetchedAt: new Date() };
const small = `<rss><channel><item><title>标题</title><description>内容</description></item></channel></rss>`;
let t = performance.now(); await parseFeedBounded(small, opts); console.log("first bounded parse (starts the worker) ms:", (performance.now() - t).toFixed(1));
t = performance.now(); for (let i = 0; i < 20; i++) await parseFeedBounded(small, opts); console.log("later bounded parses, mean ms:", ((performance.now() - t) / 20).toFixed(2));
t = performance.now(); for (let i = 0; i < 20; i++) parseFeed(small, opts); console.log("sync, mean ms:", ((performance.now() - t) / 20).toFixed(2));
