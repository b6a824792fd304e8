// Fan-out of committed ledger entries to live subscribers (SSE); a slow subscriber drops, never blocks appends.
//
// Issue 14: with 200 live readers every entry was serialised, encoded and framed 200 times, each reader on its own
// coalescing timer. Now the feed gathers what commits within one window into a single batch whose SSE bytes are built
// once; every reader that is caught up writes those same bytes.
import type { AppendedEntry } from "../../ledger/append/ledger-writer.ts";
import { itemAt } from "../../common/present.ts";

export interface FeedItem {
  index: number;
  kind: string;
  eventId: string;
  /** The entry's SSE block (built on first read). */
  text: string;
}

/** What committed in one coalescing window, in index order, with its SSE bytes built once for every subscriber. */
export interface FeedBatch {
  items: readonly FeedItem[];
  first: number;
  last: number;
  /** True when the indexes run first..last with no gap (another process may have appended in between). */
  contiguous: boolean;
  bytes: Buffer;
}

type Listener = (batch: FeedBatch) => void;

/**
 * Commits are gathered at least this long after the first, so one write per reader carries what commits together;
 * with many readers the window grows so that all of them together make at most `writesPerSecond` socket writes (each
 * is a system call that the decisions' CPU pays for), up to `maxMs`.
 */
export const FEED_COALESCE = { minMs: 100, maxMs: 1_000, writesPerSecond: 1_000 };

/** One `entry` event of the stream; the SSE id is the ledger index, so Last-Event-ID resumes after it. */
export function sseEntry(index: number, kind: string, eventId: string): string {
  // kind and eventId come from signed events our schema holds to printable identifiers; JSON.stringify escapes any
  // line break, so the data stays one SSE line.
  return `event: entry\ndata: ${JSON.stringify({ index, kind, eventId })}\nid: ${index}\n\n`;
}

// The SSE text is built on first read, once: the webhook dispatcher is always subscribed and reads only indexes and
// kinds, so a server with no stream reader must not pay for bytes nobody sends.
class FeedEntry implements FeedItem {
  readonly index: number;
  readonly kind: string;
  readonly eventId: string;
  #text: string | undefined;
  constructor(index: number, kind: string, eventId: string) {
    this.index = index;
    this.kind = kind;
    this.eventId = eventId;
  }
  get text(): string {
    return (this.#text ??= sseEntry(this.index, this.kind, this.eventId));
  }
}

class Batch implements FeedBatch {
  readonly first: number;
  readonly last: number;
  readonly contiguous: boolean;
  readonly items: readonly FeedEntry[];
  #bytes: Buffer | undefined;
  constructor(items: readonly FeedEntry[]) {
    this.items = items;
    this.first = itemAt(items, 0, "feed batch").index;
    this.last = itemAt(items, items.length - 1, "feed batch").index;
    this.contiguous = this.last - this.first + 1 === items.length;
  }
  get bytes(): Buffer {
    return (this.#bytes ??= Buffer.from(this.items.map((item) => item.text).join("")));
  }
}

export class EntryFeed {
  #listeners = new Set<Listener>();
  #pending: FeedEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #coalesce: typeof FEED_COALESCE;

  constructor(coalesce = FEED_COALESCE) {
    this.#coalesce = coalesce;
  }

  /** How long commits are gathered before one batch goes to every subscriber. */
  get windowMs(): number {
    const { minMs, maxMs, writesPerSecond } = this.#coalesce;
    return Math.min(maxMs, Math.max(minMs, (1000 * this.#listeners.size) / writesPerSecond));
  }

  publish(entries: AppendedEntry[]): void {
    if (this.#listeners.size === 0) return;
    for (const e of entries) this.#pending.push(new FeedEntry(e.index, e.event.kind, e.event.id));
    this.#timer ??= setTimeout(() => this.#flush(), this.windowMs);
  }

  #flush(): void {
    this.#timer = undefined;
    const items = this.#pending.sort((a, b) => a.index - b.index);
    this.#pending = [];
    if (items.length === 0 || this.#listeners.size === 0) return;
    const batch = new Batch(items);
    for (const listener of this.#listeners) listener(batch);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
    this.#listeners.clear();
  }
}
