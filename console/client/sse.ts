// Server-Sent Events read with fetch: EventSource cannot send the Authorization header the Evidence API needs, so the
// page reads the stream's body itself and splits it into events (https://html.spec.whatwg.org/#event-stream-interpretation).
import { ApiError, token } from "./api.ts";

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Calls `onOpen` once the server has answered (it is then subscribed: nothing committed later is missed), and `onEvent`
 * for each event until the stream ends or `signal` aborts; resolves when it has ended.
 */
export async function readSse(path: string, signal: AbortSignal, onEvent: (event: SseEvent) => void, onOpen?: () => void): Promise<void> {
  const bearer = token.get();
  const response = await fetch(path, {
    headers: { accept: "text/event-stream", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    signal,
    cache: "no-store",
  });
  if (!response.ok || !response.body) throw new ApiError(response.status, `${response.status} ${response.statusText}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  onOpen?.();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: "message", data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          const colon = line.indexOf(":");
          if (colon === 0) continue; // a comment
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (name === "event") event.event = value;
          else if (name === "data") data.push(value);
          else if (name === "id") event.id = value;
        }
        event.data = data.join("\n");
        onEvent(event);
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    reader.releaseLock();
  }
}
