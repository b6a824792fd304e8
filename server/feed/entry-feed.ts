// Fan-out of committed ledger entries to live subscribers (SSE); a slow subscriber drops, never blocks appends.
import type { AppendedEntry } from "../../ledger/append/ledger-writer.ts";

export interface FeedItem {
  index: number;
  kind: string;
  eventId: string;
}

type Listener = (items: FeedItem[]) => void;

export class EntryFeed {
  #listeners = new Set<Listener>();

  publish(entries: AppendedEntry[]): void {
    if (this.#listeners.size === 0) return;
    const items = entries.map((e) => ({ index: e.index, kind: e.event.kind, eventId: e.event.id }));
    for (const listener of this.#listeners) listener(items);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#listeners.clear();
  }
}
