// The open-loop rows' floor: a node:http server that reads the body and answers a fixed decision-sized JSON at once.
// The same generator against it, in the same run, shows what the machine and the generator alone add to a latency.
import { createServer } from "node:http";

const answer = JSON.stringify({
  decision: "allow",
  allow: true,
  reasons: [],
  waivers: [],
  decisionId: crypto.randomUUID(),
  ledgerIndex: 1,
  policyDigest: `sha256:${"0".repeat(64)}`,
});
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) }).end(answer));
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.error(`listening on http://127.0.0.1:${address.port}`);
});
