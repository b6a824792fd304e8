// The operator's webhook settings (environment), with the defaults docs/governance/webhooks.md names.
import { MaestroError } from "../../common/errors.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./backoff.ts";
import { DEFAULT_LIMITS, type SendLimits } from "./sender.ts";
import { parseAllowHosts, type UrlAllowance } from "./url-policy.ts";

export interface WebhookSettings {
  allowance: UrlAllowance;
  /** How receivers reach this server, for the links in each message (MAESTRO_PUBLIC_URL). */
  baseUrl: string;
  retry: RetryPolicy;
  limits: SendLimits;
  /** A process that stops renewing its lease on a subscription loses it after this long to another process. */
  leaseMs: number;
  /** How often the dispatcher looks for work it was not woken for (other processes' appends, retries due). */
  pollMs: number;
  /** How often the deadline clock expires waivers and notices what is expiring or overdue. */
  clockMs: number;
  /** `waiver.expiring` is sent this long before a waiver's expiry. */
  expiringLeadMs: number;
  /** Subscriptions one process delivers for at the same time. */
  parallel: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new MaestroError("invalid_field", `${name} must be a positive integer`, { field: name });
  return value;
}

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv, port: number, overrides: Partial<WebhookSettings> = {}): WebhookSettings {
  return {
    allowance: parseAllowHosts(env.MAESTRO_WEBHOOK_ALLOW_HOSTS),
    baseUrl: env.MAESTRO_PUBLIC_URL || `http://127.0.0.1:${port}`,
    retry: { ...DEFAULT_RETRY, windowMs: positive(env, "MAESTRO_WEBHOOK_RETRY_WINDOW_S", DEFAULT_RETRY.windowMs / 1000) * 1000 },
    limits: DEFAULT_LIMITS,
    leaseMs: positive(env, "MAESTRO_WEBHOOK_LEASE_MS", 60_000),
    pollMs: positive(env, "MAESTRO_WEBHOOK_POLL_MS", 1_000),
    clockMs: positive(env, "MAESTRO_DEADLINE_CLOCK_MS", 30_000),
    expiringLeadMs: positive(env, "MAESTRO_WAIVER_EXPIRING_LEAD_S", 3600) * 1000,
    parallel: 4,
    ...overrides,
  };
}
