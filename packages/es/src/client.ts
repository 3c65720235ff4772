import { Client } from "@elastic/elasticsearch";

/** How to reach Elasticsearch and how our indices are prefixed. */
export interface EsSettings {
  node: string;
  indexPrefix: string;
  apiKey?: string;
  username?: string;
  password?: string;
}

/** An Elasticsearch client for the settings (API key or basic auth when given). */
export function createEsClient(settings: EsSettings): Client {
  const auth = settings.apiKey
    ? { apiKey: settings.apiKey }
    : settings.username && settings.password
      ? { username: settings.username, password: settings.password }
      : undefined;
  return new Client({
    node: settings.node,
    ...(auth ? { auth } : {}),
    requestTimeout: 30_000,
    maxRetries: 3,
  });
}

export type { Client } from "@elastic/elasticsearch";
