// The container's HEALTHCHECK: exit 0 only if /healthz answers 200 within 3 s (no curl in the slim image).
const port = process.env.MAESTRO_PORT ?? "8787";
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) console.error(`healthcheck: /healthz answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: http://127.0.0.1:${port}/healthz unreachable: ${(err as Error).message}`);
  process.exit(1);
}
