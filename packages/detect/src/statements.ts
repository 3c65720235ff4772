import type { DocFeatures } from "./types.js";

/** What an official statement about an incident is. */
export type StatementKind = "辟谣" | "通报" | "情况说明" | "回应";

/** An authority's statement recognised in a post. */
export interface Statement {
  kind: StatementKind;
  /** True when it comes from a government body (by the source's name, or a body named as the speaker). */
  authority: boolean;
}

const REFUTES = /辟谣|谣言|不实信息|消息不实|系误传|假消息|虚假信息|并非事实|不属实|纯属捏造|造谣/;
const REPORT = /警情通报|情况通报|通报[:：]|发布通报|通报称|通报如下|官方通报/;
const EXPLAINS = /情况说明|关于.{1,30}的说明/;
const ANSWERS = /官方回应|回应称|作出回应|澄清/;
// Government bodies and their official accounts (发布 is the usual name of a government's account: 长沙发布).
const AUTHORITY = /公安|警方|派出所|交警|消防|政府|人民政府|应急管理|网信|卫健|卫生健康|疾控|市场监管|住建|教育局|宣传部|管委会|发布$|发布厅|辟谣平台|融媒体中心|新闻办/;

/**
 * Whether a post is an official statement (辟谣, 通报, 情况说明, 回应) and whether an authority makes it. A
 * statement joins the incident it answers more easily than ordinary posts (it shares fewer words with the rumour)
 * and is recorded on its timeline; a 辟谣 marks the incident 已辟谣.
 * @example statementOf({ source: "长沙市公安局", title: "关于网传岳麓区爆炸的辟谣", text: "…" }) // { kind: "辟谣", authority: true }
 */
export function statementOf(doc: Pick<DocFeatures, "source" | "title" | "text">): Statement | undefined {
  // Clustering asks once per post and candidate: posts are immutable, so the answer is kept per post object.
  if (seen.has(doc)) return seen.get(doc);
  const statement = readStatement(doc);
  seen.set(doc, statement);
  return statement;
}

const seen = new WeakMap<object, Statement | undefined>();

/** The first `n` code points of a text (a surrogate pair counts as one). */
function codePoints(text: string, n: number): string {
  if (text.length <= n) return text;
  let end = 0;
  for (let k = 0; k < n && end < text.length; k++) {
    const c = text.charCodeAt(end);
    const next = text.charCodeAt(end + 1);
    end += c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return text.slice(0, end);
}

function readStatement(doc: Pick<DocFeatures, "source" | "title" | "text">): Statement | undefined {
  const head = `${doc.title ?? ""}\n${codePoints(doc.text, 200)}`;
  const kind: StatementKind | undefined = REFUTES.test(head)
    ? "辟谣"
    : REPORT.test(head)
      ? "通报"
      : EXPLAINS.test(head)
        ? "情况说明"
        : ANSWERS.test(head)
          ? "回应"
          : undefined;
  if (kind === undefined) return undefined;
  const speaker = /^(.{2,20}?)(?:发布|通报|辟谣|回应|称)/.exec(head)?.[1] ?? "";
  return { kind, authority: AUTHORITY.test(doc.source) || AUTHORITY.test(speaker) };
}
