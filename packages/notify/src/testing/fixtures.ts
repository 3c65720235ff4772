import type { Notification } from "../notification.js";

/**
 * A realistic zh-CN notification for tests; override any field.
 * @example sampleNotification({ level: "I", idempotencyKey: "alert-1:new" })
 */
export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  const alertId = overrides.alertId ?? "alert-20240501-001";
  return {
    idempotencyKey: `${alertId}:new:v1`,
    alertId,
    incidentId: "inc-20240501-001",
    level: "II",
    title: "某市化工园区发生爆炸事故，已造成12人遇难",
    body: ["**首发**：2024-05-01 08:10 微博用户发帖", "涉及话题：安全生产、应急救援", "[查看原帖](https://weibo.example/p/1)"],
    deadlines: [
      { label: "权威信息发布", dueAt: "2024-05-01T05:10:00.000Z" },
      { label: "新闻发布会", dueAt: "2024-05-02T00:10:00.000Z" },
    ],
    ackUrl: `https://liaowang.example.gov.cn/ack?t=${encodeURIComponent(alertId)}.sig`,
    department: "市应急管理局",
    kind: "new",
    ...overrides,
  };
}
