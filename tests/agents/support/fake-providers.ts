// Loopback stand-ins for the Anthropic Messages and OpenAI Chat Completions APIs that play a scripted tool-use conversation.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ScriptStep {
  text?: string;
  toolUses?: Array<{ name: string; input: unknown }>;
  usage?: { input: number; output: number };
  /** Answer with this HTTP error instead (the SDK should retry 429/5xx on its own). */
  failWith?: number;
}

/** A step, or a function of the request body (so a step can look at the tool results it was sent). */
export type Script = Array<ScriptStep | ((body: any) => ScriptStep)>;

export interface FakeProvider {
  /** baseURL to hand the SDK. */
  baseURL: string;
  requests: any[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

async function serveScript(
  path: string,
  script: Script,
  render: (step: ScriptStep, n: number, body: any) => unknown,
): Promise<{ server: Server; requests: any[]; port: number }> {
  const requests: any[] = [];
  let next = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method !== "POST" || !req.url?.endsWith(path)) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    requests.push({ headers: req.headers, body });
    const entry = script[next++];
    if (!entry) {
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { type: "script_exhausted", message: "script exhausted" } }));
      return;
    }
    const step = typeof entry === "function" ? entry(body) : entry;
    if (step.failWith) {
      // retry-after-ms keeps the SDKs' own backoff short in tests.
      res
        .writeHead(step.failWith, { "content-type": "application/json", "retry-after-ms": "5" })
        .end(JSON.stringify({ error: { type: "overloaded_error", message: "try again" } }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(render(step, next, body)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, requests, port: (server.address() as AddressInfo).port };
}

const closer = (server: Server) => () => new Promise<void>((resolve) => server.close(() => resolve()));

/** POST /v1/messages (https://docs.anthropic.com/en/api/messages). */
export async function fakeAnthropic(script: Script): Promise<FakeProvider> {
  const { server, requests, port } = await serveScript("/v1/messages", script, (step, n, body) => {
    const content: unknown[] = [];
    if (step.text) content.push({ type: "text", text: step.text });
    (step.toolUses ?? []).forEach((use, i) => content.push({ type: "tool_use", id: `toolu_${n}_${i}`, name: use.name, input: use.input }));
    return {
      id: `msg_${n}`,
      type: "message",
      role: "assistant",
      model: body.model,
      content,
      stop_reason: step.toolUses?.length ? "tool_use" : "end_turn",
      stop_sequence: null,
      usage: { input_tokens: step.usage?.input ?? 100, output_tokens: step.usage?.output ?? 50 },
    };
  });
  return { baseURL: `http://127.0.0.1:${port}`, requests, close: closer(server) };
}

/** POST /v1/chat/completions (https://platform.openai.com/docs/api-reference/chat/create). */
export async function fakeOpenAI(script: Script): Promise<FakeProvider> {
  const { server, requests, port } = await serveScript("/chat/completions", script, (step, n, body) => ({
    id: `chatcmpl-${n}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: body.model,
    choices: [
      {
        index: 0,
        finish_reason: step.toolUses?.length ? "tool_calls" : "stop",
        message: {
          role: "assistant",
          content: step.text ?? null,
          refusal: null,
          ...(step.toolUses?.length
            ? {
                tool_calls: step.toolUses.map((use, i) => ({
                  id: `call_${n}_${i}`,
                  type: "function",
                  function: { name: use.name, arguments: JSON.stringify(use.input) },
                })),
              }
            : {}),
        },
      },
    ],
    usage: {
      prompt_tokens: step.usage?.input ?? 100,
      completion_tokens: step.usage?.output ?? 50,
      total_tokens: (step.usage?.input ?? 100) + (step.usage?.output ?? 50),
    },
  }));
  return { baseURL: `http://127.0.0.1:${port}/v1`, requests, close: closer(server) };
}

/** The tool results the runner sent in this request, provider-neutral: [{id, content, isError}]. */
export function toolResultsIn(body: any): Array<{ content: string; isError: boolean }> {
  if (Array.isArray(body.messages) && body.system !== undefined) {
    const last = body.messages.at(-1);
    if (!Array.isArray(last?.content)) return [];
    return last.content
      .filter((b: any) => b.type === "tool_result")
      .map((b: any) => ({ content: String(b.content), isError: b.is_error === true }));
  }
  const out: Array<{ content: string; isError: boolean }> = [];
  for (let i = body.messages.length - 1; i >= 0 && body.messages[i].role === "tool"; i--) {
    const content = String(body.messages[i].content);
    out.unshift({ content, isError: content.startsWith("ERROR: ") });
  }
  return out;
}
