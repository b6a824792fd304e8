// `maestro serve`: runs the control and evidence APIs on the embedded store or PostgreSQL.
import { serve as serveHttp } from "@hono/node-server";
import { configFromEnv, startServer } from "../../server/index.ts";
import { type Command, parseFlags, storeFrom, STORE_FLAGS, UsageError } from "../command.ts";
import { isClusterWorker, reportListening, runPrimary, workerIndex } from "./serve-cluster.ts";

export const serveCommand: Command = {
  name: "serve",
  usage: `
Usage: maestro serve [--port 8787] [--host 127.0.0.1] [--data-dir DIR] [--database-url URL]
                     [--policy-bundle FILE] [--checkpoint-interval MS] [--public-read] [--public-log]
                     [--workers N] [--witnesses FILE [--witness-quorum K]]

Runs the control API (authenticated writes) and the read-only Evidence API on one port.
The store is the embedded PostgreSQL (PGlite) in --data-dir (default .maestro/) unless a
database URL is given (--database-url or DATABASE_URL). Keys are created in DIR/keys on first start.
--public-read serves every Evidence API read without a token (MAESTRO_PUBLIC_READ=1); --public-log
only the log's checkpoint, vkey and C2SP tiles (MAESTRO_PUBLIC_LOG=1; docs/governance/ledger.md).
--workers N (PostgreSQL only) runs N processes on one port; they share the ledger's single-writer lock.
--witnesses FILE (MAESTRO_WITNESSES) lists "vkey URL" lines: C2SP tlog-witness witnesses asked to cosign
each checkpoint; --witness-quorum K (MAESTRO_WITNESS_QUORUM, default all) of them make it witnessed.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...STORE_FLAGS,
        port: { type: "string" },
        host: { type: "string" },
        "policy-bundle": { type: "string" },
        "checkpoint-interval": { type: "string" },
        "public-read": { type: "boolean" },
        "public-log": { type: "boolean" },
        workers: { type: "string" },
        witnesses: { type: "string" },
        "witness-quorum": { type: "string" },
      },
      serveCommand,
    );
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError("--port must be 0-65535");
    const interval = values["checkpoint-interval"] === undefined ? undefined : Number(values["checkpoint-interval"]);
    if (interval !== undefined && (!Number.isInteger(interval) || interval < 100))
      throw new UsageError("--checkpoint-interval must be an integer ≥ 100 (ms)");
    const config = configFromEnv({
      ...storeFrom(values),
      port,
      host: values.host,
      policyBundle: values["policy-bundle"],
      checkpointIntervalMs: interval,
      publicRead: values["public-read"],
      publicLog: values["public-log"],
      witnessesFile: values.witnesses,
      witnessQuorum: values["witness-quorum"] === undefined ? undefined : Number(values["witness-quorum"]),
    });
    const workers = values.workers === undefined ? 1 : Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError("--workers must be an integer 1-64");
    if (workers > 1 && !config.databaseUrl)
      throw new UsageError("--workers needs PostgreSQL (--database-url): the embedded store is single-process");
    if (workers > 1 && !isClusterWorker()) return runPrimary(workers, config);
    const server = await startServer(config, serveHttp, { issueCheckpoints: workerIndex() === 0 });
    if (isClusterWorker()) reportListening(server.port);
    else
      process.stderr.write(
        `maestro: listening on http://${config.host}:${server.port} (store: ${server.ctx.store.kind}${config.databaseUrl ? "" : ` in ${config.dataDir}`}, origin ${config.origin})\n`,
      );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.stderr.write("maestro: shutting down\n");
        server.close().then(resolve, resolve);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    // A cluster worker's IPC channel would keep it alive after the server closed.
    if (isClusterWorker()) process.disconnect();
  },
};
