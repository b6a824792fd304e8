// Prometheus metrics (prom-client): decisions, append batches and store errors, checkpoint age, witness lag, stream readers.
//
// One registry per server context (not prom-client's global one), so two contexts in one process (tests,
// a cluster worker) never share or double-register series. Gauges that mirror stored state are read from
// the store when scraped, so every process of a cluster reports the same checkpoint age and witness lag.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Ledger } from "../../ledger/open-ledger.ts";
import type { EntryFeed } from "../feed/entry-feed.ts";
import type { MediationResult } from "../mediator/types.ts";

export interface ServerMetrics {
  registry: Registry;
  decided(result: Pick<MediationResult, "decision" | "reasons">): void;
  committed(batchSize: number): void;
  batch(b: { ms: number; storeFailed: boolean }): void;
}

export function createMetrics(ledger: () => Pick<Ledger, "reader" | "witnesses">, feed: EntryFeed): ServerMetrics {
  const registry = new Registry();
  const decisions = new Counter({
    name: "maestro_decisions_total",
    help: "Mediated tool-call decisions, by result and by each reason code the policy gave",
    labelNames: ["result", "reason"] as const,
    registers: [registry],
  });
  const batches = new Histogram({
    name: "maestro_ledger_append_batch_size",
    help: "Entries committed per ledger append batch (group commit)",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: "maestro_ledger_append_batch_seconds",
    help: "Time to make one append batch durable (or to fail it), from the writer taking it to its answer",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: "maestro_store_errors_total",
    help: "Append batches the store failed (each answered 503 ledger_unavailable to its callers)",
    registers: [registry],
  });
  new Gauge({
    name: "maestro_checkpoint_age_seconds",
    help: "Seconds since the newest signed checkpoint was stored (absent before the first)",
    registers: [registry],
    async collect() {
      const cp = await ledger().reader.latestCheckpoint();
      if (cp) this.set((Date.now() - cp.createdAt.getTime()) / 1000);
    },
  });
  new Gauge({
    name: "maestro_witness_lag_entries",
    help: "Ledger entries beyond the size each configured witness last cosigned (the whole log if it never did)",
    labelNames: ["witness"] as const,
    registers: [registry],
    async collect() {
      const { size } = await ledger().reader.head();
      for (const w of await ledger().witnesses.status()) this.set({ witness: w.name }, size - (w.cosignedSize ?? 0));
    },
  });
  new Gauge({
    name: "maestro_stream_readers",
    help: "Open Server-Sent Events readers of the ledger stream in this process",
    registers: [registry],
    collect() {
      this.set(feed.subscribers);
    },
  });
  return {
    registry,
    decided(result) {
      // A decision with no reason still counts once, under reason "none".
      const codes = result.reasons.length > 0 ? result.reasons.map((r) => r.code) : ["none"];
      for (const reason of new Set(codes)) decisions.inc({ result: result.decision, reason });
    },
    committed(batchSize) {
      batches.observe(batchSize);
    },
    batch({ ms, storeFailed }) {
      batchSeconds.observe(ms / 1000);
      if (storeFailed) storeErrors.inc();
    },
  };
}
