import { simhash64, tokenFeatures } from "../hash.js";
import type { DocFeatures, Figure, Region } from "../types.js";

// Real enrichment output (jieba TF-IDF keywords and index tokens) of short news items: three sources on one coal
// mine flood in 江华瑶族自治县, and look-alikes (another mine accident in the same province, one in another
// province, other news from the same county) that must stay separate.

/** Regions as enrichment recognises them (it lists a county's city and province too). */
export const REGIONS = {
  jianghua: { code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省" },
  yongzhou: { code: "431100", name: "永州市", level: "city", province: "湖南省" },
  suxian: { code: "431003", name: "苏仙区", level: "county", province: "湖南省" },
  chenzhou: { code: "431000", name: "郴州市", level: "city", province: "湖南省" },
  hunan: { code: "430000", name: "湖南省", level: "province", province: "湖南省" },
  lvliang: { code: "141100", name: "吕梁市", level: "city", province: "山西省" },
  shanxi: { code: "140000", name: "山西省", level: "province", province: "山西省" },
  baoan: { code: "440306", name: "宝安区", level: "county", province: "广东省" },
} as const satisfies Record<string, Region>;

interface Story {
  source: string;
  title?: string;
  text: string;
  keywords: [string, number][];
  tokens: string[];
  figures: [Figure["kind"], number, string][];
  regions: (keyof typeof REGIONS)[];
}

/** The stories by name. */
export const STORIES = {
  xinhua: {"source": "新华网", "title": "湖南永州市江华县一煤矿发生透水事故 12人遇难", "text": "记者从应急管理部获悉，7月1日凌晨，湖南省永州市江华瑶族自治县某煤矿发生透水事故，井下作业人员被困，经全力搜救，截至目前已造成12人遇难，事故原因正在调查中。", "keywords": [["透水事故", 23.48], ["遇难", 18.21], ["煤矿", 14.14], ["湖南永州", 13.21], ["江华县", 12.8], ["永州市", 12.11], ["江华瑶族自治县", 11.95], ["应急管理部", 11.74], ["搜救", 10.5], ["被困", 9.16], ["井下", 9.1], ["发生", 8.7], ["湖南省", 7.9], ["凌晨", 7.66], ["全力", 7.44], ["作业", 7.31], ["事故", 7.13], ["人员", 5.59], ["截至", 5.49], ["调查", 5.48]], "tokens": ["湖南永州", "市", "江华县", "一", "煤矿", "发生", "透水事故", "12", "人", "遇难", "应急管理部", "7", "月", "1", "日", "凌晨", "湖南省", "永州市", "江华瑶族自治县", "煤矿", "发生", "透水事故", "井下", "作业", "人员", "被困", "经", "全力", "搜救", "截至", "造成", "12", "人", "遇难", "事故", "原因", "调查"], "figures": [["deaths", 12, "12人遇难"]], "regions": ["jianghua", "yongzhou", "hunan"]},
  yongzhou: {"source": "永州发布", "title": "江华煤矿透水事故已致十二人死亡 当地全力开展救援", "text": "据永州发布消息，江华县一煤矿井下发生透水，事故共造成十二人遇难，省应急管理厅工作组已赶赴现场指导救援和善后处置。", "keywords": [["救援", 15.77], ["十二", 15.23], ["煤矿", 14.14], ["江华县", 12.8], ["已致", 11.74], ["应急管理厅", 11.74], ["透水事故", 11.74], ["赶赴现场", 11.19], ["透水", 11.13], ["江华", 10.6], ["永州", 10.4], ["善后", 9.38], ["井下", 9.1], ["遇难", 9.1], ["工作组", 8.49], ["全力", 7.44], ["事故", 7.13], ["处置", 7.11], ["指导", 6.37], ["死亡", 6.26]], "tokens": ["江华", "煤矿", "透水事故", "已致", "十二", "人", "死亡", "当地", "全力", "救援", "永州", "发布", "消息", "江华县", "一", "煤矿", "井下", "发生", "透水", "事故", "共", "造成", "十二", "人", "遇难", "省", "应急管理厅", "工作组", "赶赴现场", "指导", "救援", "善后", "处置"], "figures": [["deaths", 12, "十二人遇难"]], "regions": ["jianghua", "yongzhou", "hunan"]},
  weibo: {"source": "微博", "text": "【突发】永州江华一煤矿透水 12名矿工遇难 网友：安全检查去哪了？事故发生在凌晨，救援队伍连夜下井搜救。", "keywords": [["哪了", 11.74], ["透水", 11.13], ["安全检查", 10.96], ["江华", 10.6], ["搜救", 10.5], ["永州", 10.4], ["下井", 9.65], ["遇难", 9.1], ["突发", 8.97], ["矿工", 8.96], ["救援", 7.88], ["凌晨", 7.66], ["连夜", 7.51], ["事故", 7.13], ["煤矿", 7.07], ["网友", 6.62], ["队伍", 6.59], ["发生", 4.35]], "tokens": ["突发", "永州", "江华", "一", "煤矿", "透水", "12", "名", "矿工", "遇难", "网友", "安全检查", "去", "哪了", "事故", "发生", "凌晨", "救援", "队伍", "连夜", "下井", "搜救"], "figures": [["deaths", 12, "12名矿工遇难"]], "regions": ["jianghua", "yongzhou", "hunan"]},
  followup: {"source": "人民网", "title": "江华县煤矿透水事故遇难者家属情绪稳定", "text": "江华县煤矿透水事故遇难者家属情绪稳定 善后工作有序推进", "keywords": [["江华县", 12.8], ["透水事故", 11.74], ["善后工作", 11.07], ["情绪稳定", 10.96], ["遇难者", 10.37], ["家属", 7.69], ["有序", 7.66], ["煤矿", 7.07], ["推进", 5.74]], "tokens": ["江华县", "煤矿", "透水事故", "遇难者", "家属", "情绪稳定", "善后工作", "有序", "推进"], "figures": [], "regions": ["jianghua", "yongzhou", "hunan"]},
  shanxi: {"source": "山西日报", "title": "山西吕梁一煤矿发生瓦斯爆炸 5人遇难", "text": "山西省吕梁市某煤矿井下发生瓦斯爆炸事故，已造成5人遇难。", "keywords": [["瓦斯爆炸", 23.48], ["遇难", 18.21], ["煤矿", 14.14], ["吕梁市", 11.7], ["吕梁", 10.57], ["井下", 9.1], ["发生", 8.7], ["山西省", 7.85], ["事故", 7.13], ["山西", 6.32], ["造成", 5.11]], "tokens": ["山西", "吕梁", "一", "煤矿", "发生", "瓦斯爆炸", "5", "人", "遇难", "山西省", "吕梁市", "煤矿", "井下", "发生", "瓦斯爆炸", "事故", "造成", "5", "人", "遇难"], "figures": [["deaths", 5, "5人遇难"]], "regions": ["lvliang", "shanxi"]},
  shenzhen: {"source": "南方都市报", "title": "广东深圳一工地发生坍塌事故 3人死亡", "text": "深圳市宝安区某在建工地今日上午发生局部坍塌，造成3人死亡2人受伤。", "keywords": [["死亡", 12.51], ["坍塌事故", 11.74], ["宝安区", 10.9], ["建工", 9.52], ["坍塌", 9.03], ["发生", 8.7], ["工地", 8.13], ["深圳市", 7.83], ["受伤", 7.25], ["局部", 6.67], ["上午", 6.24], ["广东", 6.24], ["深圳", 5.76], ["造成", 5.11]], "tokens": ["广东", "深圳", "一", "工地", "发生", "坍塌事故", "3", "人", "死亡", "深圳市", "宝安区", "建工", "上午", "发生", "局部", "坍塌", "造成", "3", "人", "死亡", "2", "人", "受伤"], "figures": [["deaths", 3, "3人死亡"], ["injured", 2, "2人受伤"]], "regions": ["baoan"]},
  gaokao: {"source": "湖南教育发布", "text": "湖南省教育厅发布2024年高考录取分数线，本科一批文科分数线为...", "keywords": [["分数线", 21.36], ["教育厅", 9.77], ["文科", 9.22], ["录取", 8.89], ["本科", 8.83], ["高考", 8.49], ["湖南省", 7.9], ["一批", 6.33], ["发布", 5.09]], "tokens": ["湖南省", "教育厅", "发布", "2024", "年", "高考", "录取", "分数线", "本科", "一批", "文科", "分数线"], "figures": [], "regions": ["hunan"]},
  chenzhou: {"source": "郴州日报", "title": "湖南郴州一煤矿发生透水事故 3人遇难", "text": "郴州市苏仙区某煤矿井下发生透水，3名矿工遇难，事故原因正在调查。", "keywords": [["遇难", 18.21], ["煤矿", 14.14], ["苏仙区", 11.74], ["透水事故", 11.74], ["郴州市", 11.6], ["透水", 11.13], ["郴州", 10.53], ["井下", 9.1], ["矿工", 8.96], ["发生", 8.7], ["事故", 7.13], ["湖南", 6.6], ["调查", 5.48], ["原因", 4.95]], "tokens": ["湖南", "郴州", "一", "煤矿", "发生", "透水事故", "3", "人", "遇难", "郴州市", "苏仙区", "煤矿", "井下", "发生", "透水", "3", "名", "矿工", "遇难", "事故", "原因", "调查"], "figures": [["deaths", 3, "3名矿工遇难"]], "regions": ["suxian", "chenzhou", "hunan"]},
  wages: {"source": "红网", "text": "永州市江华县多名农民工讨薪 项目方拖欠工资近半年。当地人社部门已介入调查。", "keywords": [["江华县", 12.8], ["永州市", 12.11], ["人社部", 11.74], ["讨薪", 11.74], ["拖欠工资", 11.7], ["近半年", 9.48], ["农民工", 8.26], ["多名", 7.88], ["介入", 6.82], ["当地", 5.86], ["调查", 5.48], ["项目", 4.88]], "tokens": ["永州市", "江华县", "多名", "农民工", "讨薪", "项目", "方", "拖欠工资", "近半年", "当地", "人社部", "门", "介入", "调查"], "figures": [], "regions": ["jianghua", "yongzhou", "hunan"]},
} satisfies Record<string, Story>;

/** Name of a fixture story. */
export type StoryName = keyof typeof STORIES;

/**
 * The features of a story as the detector sees them, published at `publishedAt` (epoch ms).
 * @example storyDoc("xinhua", Date.parse("2024-07-01T00:00:00Z"))
 */
export function storyDoc(name: StoryName, publishedAt: number, overrides: Partial<DocFeatures> = {}): DocFeatures {
  const s: Story = STORIES[name];
  return {
    id: `doc-${name}`,
    source: s.source,
    title: s.title,
    text: s.text,
    publishedAt,
    tokens: s.tokens,
    keywords: s.keywords.map(([word, weight]) => ({ word, weight })),
    simhash: simhash64(tokenFeatures(s.tokens)),
    topics: [],
    regions: s.regions.map((r) => REGIONS[r]),
    sentiment: 0,
    figures: s.figures.map(([kind, value, text]) => ({ kind, value, approx: false, text })),
    ...overrides,
  };
}
