// Fan-out of committed ledger entries to live subscribers (SSE); a slow subscriber drops, never blocks appends.
import type { AppendedEntry } from "../../ledger/append/ledger-writer.ts";

export interface FeedItem {
  index: number;
  kind: string;
  eventId: string;
  /** The entry's SSE block, built once per commit and shared by every subscriber (200 readers, one string). */
  text: string;
}

type Listener = (items: readonly FeedItem[]) => void;

/** One `entry` event of the stream; the SSE id is the ledger index, so Last-Event-ID resumes after it. */
export function sseEntry(index: number, kind: string, eventId: string): string {
  // kind and eventId come from signed events our schema holds to printable identifiers; JSON.stringify escapes any
  // line break, so the data stays one SSE line.
  return `event: entry\ndata: ${JSON.stringify({ index, kind, eventId })}\nid: ${index}\n\n`;
}

export class EntryFeed {
  #listeners = new Set<Listener>();

  publish(entries: AppendedEntry[]): void {
    if (this.#listeners.size === 0) return;
    const items = entries.map((e) => ({
      index: e.index,
      kind: e.event.kind,
      eventId: e.event.id,
      text: sseEntry(e.index, e.event.kind, e.event.id),
    }));
    for (const listener of this.#listeners) listener(items);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  close(): void {
    this.#listeners.clear();
  }
}
