import { simhash64, tokenFeatures } from "../hash.js";
import type { DocFeatures, Figure, Region } from "../types.js";

// Enrichment output (jieba keywords and tokens, places, figures) of the kind of local story the benchmark injects: a
// resident's 首发 and the district's 通报 of accidents at named facilities, with a post that uses one facility's name
// for a person (王明达 beside 明达隧道) and a vague post naming no facility. The enrichment reads 安达水库 as a place too
// (安达市 in 黑龙江省, beside 石鼓区 in 湖南省), as it does.

interface Post {
  source: string;
  title?: string;
  text: string;
  keywords: [string, number][];
  tokens: string[];
  regions: [string, string, string, string][];
  figures: [string, number, string][];
  category?: string;
  topics: string[];
}

/** The posts by name. */
export const FACILITY_POSTS = {
  mingdaFirst: {"source": "微博网友@bench13", "title": "岳塘区明达隧道坍塌", "text": "岳塘区明达隧道刚才施工的隧道里塌方了，工人被困在里面，好像是明达隧道坍塌了！", "keywords": [["明达", 36.33], ["隧道", 30.53], ["岳塘区", 26.42], ["坍塌", 18.05], ["塌方", 9.89], ["被困", 9.16], ["施工", 7.2], ["刚才", 5.76], ["工人", 5.72]], "tokens": ["岳塘区", "明达", "隧道", "坍塌", "岳塘区", "明达", "隧道", "刚才", "施工", "隧道", "塌方", "工人", "被困", "明达", "隧道", "坍塌"], "regions": [["430304", "岳塘区", "county", "湖南省"], ["430300", "湘潭市", "city", "湖南省"], ["430000", "湖南省", "province", "湖南省"]], "figures": [], "category": "生产安全事故", "topics": ["安全生产"]},
  mingdaReport: {"source": "岳塘区应急管理局", "title": "关于岳塘区明达隧道坍塌事故的情况通报", "text": "岳塘区明达隧道发生坍塌事故。截至目前，事故已造成23人遇难、46人受伤，搜救工作仍在进行，事故原因正在调查中。", "keywords": [["岳塘区", 26.42], ["明达", 24.22], ["坍塌事故", 23.48], ["隧道", 15.27], ["事故", 14.26], ["情况通报", 11.26], ["搜救", 10.5], ["遇难", 9.1], ["受伤", 7.25], ["截至", 5.49], ["调查", 5.48], ["造成", 5.11], ["原因", 4.95], ["发生", 4.35], ["工作", 4.2]], "tokens": ["岳塘区", "明达", "隧道", "坍塌事故", "情况通报", "岳塘区", "明达", "隧道", "发生", "坍塌事故", "截至", "事故", "造成", "23", "人", "遇难", "46", "人", "受伤", "搜救", "工作", "事故", "原因", "调查"], "regions": [["430304", "岳塘区", "county", "湖南省"], ["430300", "湘潭市", "city", "湖南省"], ["430000", "湖南省", "province", "湖南省"]], "figures": [["deaths", 23, "23人遇难"], ["injured", 46, "46人受伤"]], "category": "生产安全事故", "topics": ["安全生产"]},
  andaFirst: {"source": "微博网友@bench15", "title": "石鼓区安达水库溃坝", "text": "石鼓区安达水库刚才大坝决口了，下游村子被水淹了，好像是安达水库溃坝了！", "keywords": [["安达", 31.04], ["溃坝", 26.42], ["石鼓区", 23.48], ["水库", 22.44], ["水淹", 9.71], ["决口", 9.19], ["大坝", 9.02], ["村子", 7.49], ["下游", 6.41], ["刚才", 5.76]], "tokens": ["石鼓区", "安达", "水库", "溃坝", "石鼓区", "安达", "水库", "刚才", "大坝", "决口", "下游", "村子", "被", "水淹", "安达", "水库", "溃坝"], "regions": [["430407", "石鼓区", "county", "湖南省"], ["231281", "安达市", "county", "黑龙江省"], ["430400", "衡阳市", "city", "湖南省"], ["231200", "绥化市", "city", "黑龙江省"], ["430000", "湖南省", "province", "湖南省"], ["230000", "黑龙江省", "province", "黑龙江省"]], "figures": [], "topics": []},
  andaReport: {"source": "石鼓区应急管理局", "title": "关于石鼓区安达水库溃坝事故的情况通报", "text": "石鼓区安达水库发生溃坝险情。截至目前，事故已造成10人遇难、20人受伤，搜救工作仍在进行，事故原因正在调查中。", "keywords": [["溃坝", 26.42], ["石鼓区", 23.48], ["事故", 21.38], ["安达", 20.69], ["水库", 14.96], ["情况通报", 11.26], ["搜救", 10.5], ["险情", 10.24], ["遇难", 9.1], ["受伤", 7.25], ["截至", 5.49], ["调查", 5.48], ["造成", 5.11], ["原因", 4.95], ["发生", 4.35], ["工作", 4.2]], "tokens": ["石鼓区", "安达", "水库", "溃坝", "事故", "情况通报", "石鼓区", "安达", "水库", "发生", "溃坝", "险情", "截至", "事故", "造成", "10", "人", "遇难", "20", "人", "受伤", "搜救", "工作", "事故", "原因", "调查"], "regions": [["430407", "石鼓区", "county", "湖南省"], ["231281", "安达市", "county", "黑龙江省"], ["430400", "衡阳市", "city", "湖南省"], ["231200", "绥化市", "city", "黑龙江省"], ["430000", "湖南省", "province", "湖南省"], ["230000", "黑龙江省", "province", "黑龙江省"]], "figures": [["deaths", 10, "10人遇难"], ["injured", 20, "20人受伤"]], "category": "生产安全事故", "topics": ["安全生产"]},
  shengyuanFirst: {"source": "微博网友@bench51", "title": "石鼓区盛源商场火灾", "text": "石鼓区盛源商场刚才着火了，黑烟从楼里冒出来，消防车来了好多辆，好像是盛源商场火灾了！", "keywords": [["盛源", 35.22], ["商场", 24.28], ["石鼓区", 23.48], ["火灾", 17.1], ["从楼", 11.74], ["消防车", 10.53], ["多辆", 9.65], ["黑烟", 9.19], ["着火", 9.03], ["冒出来", 8.74], ["刚才", 5.76]], "tokens": ["石鼓区", "盛源", "商场", "火灾", "石鼓区", "盛源", "商场", "刚才", "着火", "黑烟", "从楼", "冒出来", "消防车", "来", "好", "多辆", "盛源", "商场", "火灾"], "regions": [["430407", "石鼓区", "county", "湖南省"], ["430400", "衡阳市", "city", "湖南省"], ["430000", "湖南省", "province", "湖南省"]], "figures": [], "category": "生产安全事故", "topics": ["安全生产"]},
  shengyuanReport: {"source": "石鼓区应急管理局", "title": "关于石鼓区盛源商场火灾事故的情况通报", "text": "石鼓区盛源商场发生火灾。截至目前，事故已造成16人遇难、32人受伤，搜救工作仍在进行，事故原因正在调查中。", "keywords": [["盛源", 23.48], ["石鼓区", 23.48], ["商场", 16.19], ["事故", 14.26], ["火灾事故", 11.95], ["情况通报", 11.26], ["搜救", 10.5], ["遇难", 9.1], ["火灾", 8.55], ["受伤", 7.25], ["截至", 5.49], ["调查", 5.48], ["造成", 5.11], ["原因", 4.95], ["发生", 4.35], ["工作", 4.2]], "tokens": ["石鼓区", "盛源", "商场", "火灾事故", "情况通报", "石鼓区", "盛源", "商场", "发生", "火灾", "截至", "事故", "造成", "16", "人", "遇难", "32", "人", "受伤", "搜救", "工作", "事故", "原因", "调查"], "regions": [["430407", "石鼓区", "county", "湖南省"], ["430400", "衡阳市", "city", "湖南省"], ["430000", "湖南省", "province", "湖南省"]], "figures": [["deaths", 16, "16人遇难"], ["injured", 32, "32人受伤"]], "category": "生产安全事故", "topics": ["安全生产"]},
  finance: {"source": "财经网", "title": "基金经理王明达：对冲基金被迫清盘", "text": "基金经理王明达表示，市场波动加剧，部分对冲基金已被迫清盘，投资者需谨慎。", "keywords": [["王明达", 23.48], ["清盘", 21.45], ["基金", 16.1], ["对冲", 15.41], ["被迫", 13.12], ["经理", 11.7], ["需谨慎", 9.88], ["加剧", 6.9], ["波动", 5.94], ["投资者", 4.43], ["部分", 4.41], ["市场", 3.32]], "tokens": ["基金", "经理", "王明达", "对冲", "基金", "被迫", "清盘", "基金", "经理", "王明达", "市场", "波动", "加剧", "部分", "对冲", "基金", "被迫", "清盘", "投资者", "需谨慎"], "regions": [], "figures": [], "topics": ["经济金融"]},
  tunnelVague: {"source": "微博网友@路人", "text": "岳塘区有个施工的隧道塌方了，工人被困在里面，救护车一直往那边开", "keywords": [["岳塘区", 13.21], ["有个", 11.74], ["塌方", 9.89], ["救护车", 9.29], ["被困", 9.16], ["隧道", 7.63], ["施工", 7.2], ["那边", 6.63], ["工人", 5.72]], "tokens": ["岳塘区", "有个", "施工", "隧道", "塌方", "工人", "被困", "救护车", "那边", "开"], "regions": [["430304", "岳塘区", "county", "湖南省"], ["430300", "湘潭市", "city", "湖南省"], ["430000", "湖南省", "province", "湖南省"]], "figures": [], "topics": ["安全生产"]},
} satisfies Record<string, Post>;

/** Name of a post of {@link FACILITY_POSTS}. */
export type FacilityPostName = keyof typeof FACILITY_POSTS;

/** A post of {@link FACILITY_POSTS} as the detector sees it, published at `publishedAt` (epoch ms). */
export function facilityDoc(name: FacilityPostName, publishedAt: number, overrides: Partial<DocFeatures> = {}): DocFeatures {
  const p: Post = FACILITY_POSTS[name];
  return {
    id: `doc-${name}`,
    source: p.source,
    title: p.title,
    text: p.text,
    publishedAt,
    tokens: p.tokens,
    keywords: p.keywords.map(([word, weight]) => ({ word, weight })),
    simhash: simhash64(tokenFeatures(p.tokens)),
    topics: p.topics.map((id) => ({ id, score: 0.8 })),
    category: p.category,
    regions: p.regions.map(([code, name, level, province]) => ({ code, name, level: level as Region["level"], province })),
    sentiment: -0.5,
    figures: p.figures.map(([kind, value, text]) => ({ kind: kind as Figure["kind"], value, approx: false, text })),
    timeRef: { kind: "current" },
    ...overrides,
  };
}
