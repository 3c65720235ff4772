// Writes the binary GB2312 feed fixture used by the charset tests: test/fixtures/ingest/gb2312-feed.xml.
// Run from the repo root with `pnpm --filter @liaowang/ingest fixtures` after editing FEED below; commit both.
// Every character must be in GB2312 proper (not only GBK), so the fixture is what old government CMSs send.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { repoRoot } from "@liaowang/config";

const FEED = `<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0">
<channel>
<title>星河市人民政府网站 新闻发布</title>
<link>http://www.xinghe.gov.cn/</link>
<description>星河市人民政府门户网站信息公开</description>
<lastBuildDate>Wed, 01 May 2024 18:00:00 +0800</lastBuildDate>
<item>
<title>关于城东化工园区爆炸事故的情况通报</title>
<link>http://www.xinghe.gov.cn/xwfb/202405/t20240501_1.html</link>
<description><![CDATA[<p>５月１日９时３０分许，城东化工园区一企业发生爆炸事故，造成３人死亡、１２人受伤。</p><p>事故原因正在调查中，市应急管理局已启动应急响应。</p>]]></description>
<pubDate>2024-05-01 10:15:00</pubDate>
</item>
<item>
<title>市人社局集中处理农民工工资拖欠问题</title>
<link>http://www.xinghe.gov.cn/xwfb/202405/t20240501_2.html</link>
<description>针对群众反映的工资拖欠问题，市人社局会同住建部门开展专项检查，已为２１０名农民工追回工资３８６万元。</description>
<pubDate>Wed, 01 May 2024 15:20:00</pubDate>
</item>
<item>
<title>食品药品安全抽检结果公告（２０２４年第５期）</title>
<link>http://www.xinghe.gov.cn/xwfb/202405/t20240501_3.html</link>
<description>本期共抽检食品样品１５６批次，其中３批次不合格，已依法责令下架并立案调查。</description>
<pubDate>2024年5月1日 16:40</pubDate>
</item>
</channel>
</rss>
`;

function assertGb2312(bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) continue;
    const trail = bytes[i + 1] ?? 0;
    // GB2312 (EUC-CN): both bytes in 0xA1–0xFE, lead at most 0xF7.
    if (lead < 0xa1 || lead > 0xf7 || trail < 0xa1 || trail > 0xfe) {
      throw new Error(`byte ${i}: ${lead.toString(16)} ${trail.toString(16)} is outside GB2312 (a GBK-only character?)`);
    }
    i++;
  }
}

const bytes = iconv.encode(FEED, "gb2312");
assertGb2312(bytes);
if (iconv.decode(bytes, "gb18030") !== FEED) throw new Error("GB2312 round trip changed the text");
const out = join(repoRoot, "test/fixtures/ingest/gb2312-feed.xml");
writeFileSync(out, bytes);
process.stdout.write(`wrote ${bytes.length} bytes to ${out}\n`);
