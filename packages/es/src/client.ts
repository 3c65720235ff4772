import { Client, type ClientOptions } from "@elastic/elasticsearch";

/** How to reach Elasticsearch, how our indices are prefixed, and the credentials of a secured cluster. */
export interface EsSettings {
  node: string;
  indexPrefix: string;
  /** This service's own API key (base64 `id:key`, as Elasticsearch returns it in `encoded`); preferred. */
  apiKey?: string;
  username?: string;
  password?: string;
  /** PEM of the CA that signed the cluster's HTTPS certificate (otherwise the system CAs). */
  caPem?: string;
}

/**
 * The client options for the settings: API key or basic auth when given, the CA for HTTPS. Pure, so tests can check
 * what a service would connect with.
 */
export function esClientOptions(settings: EsSettings): ClientOptions {
  const auth = settings.apiKey
    ? { apiKey: settings.apiKey }
    : settings.username && settings.password
      ? { username: settings.username, password: settings.password }
      : undefined;
  return {
    node: settings.node,
    ...(auth ? { auth } : {}),
    ...(settings.caPem ? { tls: { ca: settings.caPem, rejectUnauthorized: true } } : {}),
    requestTimeout: 30_000,
    maxRetries: 3,
  };
}

/** An Elasticsearch client for the settings (API key or basic auth when given, the CA of an HTTPS cluster). */
export function createEsClient(settings: EsSettings): Client {
  return new Client(esClientOptions(settings));
}

export type { Client, estypes } from "@elastic/elasticsearch";
