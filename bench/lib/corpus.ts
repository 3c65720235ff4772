// The benchmark's text. Real posts and titles are read at run time from ../shared/eval/ when present (never copied
// into the repository); otherwise a generated corpus stands in and the report says so.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Corpus {
  /** Short posts: Weibo posts and news titles. */
  posts: string[];
  /** Where they came from, for the report. */
  source: string;
  /** Set when no real text was found. */
  note?: string;
}

/** Real Weibo posts (weibo_ced_dev) and news titles (thucnews_dev), or a generated stand-in. */
export function loadCorpus(evalDir: string): Corpus {
  const posts: string[] = [];
  const sources: string[] = [];
  const weibo = join(evalDir, "weibo_ced_dev", "originals.jsonl");
  if (existsSync(weibo)) {
    for (const line of readFileSync(weibo, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const text = (JSON.parse(line) as { text?: string }).text?.trim();
      if (text && text.length >= 10) posts.push(text);
    }
    sources.push("weibo_ced_dev");
  }
  const news = join(evalDir, "thucnews_dev", "dev.txt");
  if (existsSync(news)) {
    for (const line of readFileSync(news, "utf8").split("\n")) if (line.includes("\t")) posts.push(line.split("\t")[0]!);
    sources.push("thucnews_dev");
  }
  if (posts.length > 0) return { posts, source: sources.join(" + ") };
  const parts = ["某市", "小区居民", "反映", "连续停水", "物业", "回应", "12345热线", "已转交", "住建部门", "处理", "群众", "不满", "记者", "现场", "了解到", "相关负责人", "表示"];
  return {
    posts: Array.from({ length: 3_000 }, (_, i) => Array.from({ length: 8 + (i % 20) }, (_, j) => parts[(i * 7 + j * 3) % parts.length]).join("")),
    source: "generated",
    note: `no real text under ${evalDir}: a generated corpus was used (figures are not comparable with real-text runs)`,
  };
}

/** An ingest record (the push contract). */
export interface IngestRecord {
  source: string;
  text: string;
  title?: string;
  publishedAt: string;
  region?: string;
  url?: string;
}

/**
 * The address that makes a bench post's id its own. Ids are content-derived (source, title, text, url), so a text the
 * corpus repeats would otherwise be de-duplicated at ingest. The text itself is left as it was: a serial suffix in it
 * (as earlier runs had, `[run-i]`) became every post's top keyword, doubled the detector's CPU per post and merged
 * unrelated posts on the run's shared prefix.
 */
export function benchUrl(run: string, i: number): string {
  return `https://bench.liaowang.invalid/${run}/${i}`;
}

/**
 * Background traffic: real posts spread over ten sources, published "now", each with its own id ({@link benchUrl}).
 * Past the corpus's size the texts come round again, like reposts of the same post from another source.
 */
export function backgroundRecord(corpus: Corpus, run: string, i: number, now = Date.now()): IngestRecord {
  return { source: `bench-${i % 10}`, text: corpus.posts[i % corpus.posts.length]!, url: benchUrl(run, i), publishedAt: new Date(now).toISOString() };
}

/**
 * A long article: ~`bytes` of real sentences (consecutive posts of the corpus joined into paragraphs), with a title.
 * Real articles are not in the evaluation data, so this is the closest real text of that length.
 */
export function longRecord(corpus: Corpus, run: string, i: number, bytes = 4_096, now = Date.now()): IngestRecord {
  const paragraphs: string[] = [];
  let size = 0;
  for (let k = 0; size < bytes; k++) {
    const post = corpus.posts[(i * 37 + k) % corpus.posts.length]!;
    paragraphs.push(post);
    size += Buffer.byteLength(post) + 1;
  }
  return { source: `bench-long-${i % 5}`, title: corpus.posts[(i * 37) % corpus.posts.length]!.slice(0, 30), text: paragraphs.join("\n"), url: benchUrl(run, i), publishedAt: new Date(now).toISOString() };
}

// 18 places × 8 kinds, both changing with every story (72 pairs): consecutive stories differ in kind, place and
// facility, as unrelated local stories do (the same kind comes back every 8th story, elsewhere).
const PLACES = [
  ...["岳麓区", "开福区", "雨花区", "天心区", "芙蓉区", "望城区", "长沙县", "浏阳市", "宁乡市"].map((district) => ({ city: "长沙市", district })),
  ...[
    ["株洲市", "芦淞区"],
    ["株洲市", "荷塘区"],
    ["株洲市", "天元区"],
    ["湘潭市", "雨湖区"],
    ["湘潭市", "岳塘区"],
    ["衡阳市", "蒸湘区"],
    ["衡阳市", "石鼓区"],
    ["岳阳市", "岳阳楼区"],
    ["常德市", "武陵区"],
  ].map(([city, district]) => ({ city: city!, district: district! })),
];
const NAME_A = ["鑫", "宏", "华", "盛", "金", "恒", "瑞", "永", "新", "东", "利", "丰", "嘉", "明", "泰", "安"];
const NAME_B = ["达", "远", "强", "源", "诚", "晟", "洋", "发", "兴", "光", "鼎", "隆", "辉", "信", "和", "正"];
const KINDS = [
  { what: "化工厂", event: "爆炸", first: "一声巨响，浓烟滚滚，附近窗户玻璃都震碎了", second: "发生爆炸事故" },
  { what: "烟花厂", event: "爆炸", first: "连续传出爆炸声，火光冲天，周边居民紧急疏散", second: "发生爆炸事故" },
  { what: "煤矿", event: "透水", first: "听说井下出事了，很多救护车往矿上开", second: "发生透水事故" },
  { what: "商场", event: "火灾", first: "着火了，黑烟从楼里冒出来，消防车来了好多辆", second: "发生火灾" },
  { what: "大桥", event: "垮塌", first: "桥面突然塌下去一截，有车掉进河里了", second: "发生垮塌事故" },
  { what: "隧道", event: "坍塌", first: "施工的隧道里塌方了，工人被困在里面", second: "发生坍塌事故" },
  { what: "客运站", event: "踩踏", first: "人太多挤倒了一片，好多人受伤躺在地上", second: "发生踩踏事件" },
  { what: "水库", event: "溃坝", first: "大坝决口了，下游村子被水淹了", second: "发生溃坝险情" },
];

/**
 * A local story in two posts from two sources, as the duty board must catch it: a resident's 首发 (no figures yet)
 * and then an official 通报 with a death toll that makes it 重大 (II). Each story has its own facility name (which
 * the incident's title carries) and district, so stories never merge with each other.
 */
export function incidentPair(k: number, now = Date.now()): { name: string; first: IngestRecord; second: IngestRecord } {
  const { city, district } = PLACES[k % PLACES.length]!;
  const kind = KINDS[k % KINDS.length]!;
  const name = `${NAME_A[k % NAME_A.length]}${NAME_B[Math.floor(k / NAME_A.length) % NAME_B.length]}${kind.what}`;
  const region = `湖南省${city}${district}`;
  const deaths = 10 + (k % 15);
  return {
    name,
    first: {
      source: `微博网友@bench${k}`,
      title: `${district}${name}${kind.event}`,
      text: `${district}${name}刚才${kind.first}，好像是${name}${kind.event}了！`,
      publishedAt: new Date(now - 60_000).toISOString(),
      region,
    },
    second: {
      source: `${district}应急管理局`,
      title: `关于${district}${name}${kind.event}事故的情况通报`,
      text: `${district}${name}${kind.second}。截至目前，事故已造成${deaths}人遇难、${deaths * 2}人受伤，搜救工作仍在进行，事故原因正在调查中。`,
      publishedAt: new Date(now).toISOString(),
      region,
    },
  };
}
