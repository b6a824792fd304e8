// Ledgers what the key files say: key.added for each key a verifier must be able to trust, key.retired for rotated ones.
//
// Verifiers trust a key only through their anchors (the key files, pinned keys) or a key.added event signed by a key
// they already trust (ledger/verify/key-trust.ts). So a new event key is introduced by the retired key it replaces
// when that one is still trusted in the log; everything else is signed by the current event key.
import { formatVkey } from "../core/index.ts";
import { KEY_ADDED, KEY_RETIRED, keyAddedEvent, keyRetiredEvent } from "../event/key-events.ts";
import type { EventInput } from "../event/envelope.ts";
import type { LedgerReader } from "../read/ledger-reader.ts";
import type { SigningKey } from "./key-files.ts";
import type { Keyring } from "./keyring.ts";

export interface KeyEventSink {
  /** Appends the events, in order and all signed by `key`, and resolves once they are durable. */
  append(inputs: EventInput[], key: SigningKey): Promise<unknown>;
}

/** What the log already says about one kid. */
async function ledgered(reader: LedgerReader, kid: string): Promise<{ added: boolean; retired: boolean }> {
  const entries = await reader.entriesFor(null, `key:${kid}`);
  return { added: entries.some((e) => e.event.kind === KEY_ADDED), retired: entries.some((e) => e.event.kind === KEY_RETIRED) };
}

function added(key: SigningKey, origin: string): EventInput {
  const vkey = key.purpose === "checkpoint" ? formatVkey(origin, key.publicRaw) : undefined;
  return keyAddedEvent({ purpose: key.purpose, kid: key.kid, x: String(key.publicJwk.x), vkey });
}

/**
 * Appends the key events the log lacks and returns how many. With `retire`, also key.retired for every key in
 * retired/: only a process that has stopped signing with those keys may say so (the server at start), since a
 * verifier refuses any later entry or checkpoint signed by a retired key.
 */
export async function recordKeyEvents(
  reader: LedgerReader,
  sink: KeyEventSink,
  keyring: Keyring,
  options: { origin: string; retire: boolean },
): Promise<number> {
  let count = 0;
  const current = keyring.event;
  if (!(await ledgered(reader, current.kid)).added) {
    // The predecessor still trusted in the log vouches for its successor; without one (a new log, or key files
    // replaced by hand) the key introduces itself, which only verifiers that anchor it in the key files accept.
    let introducer: SigningKey = current;
    for (const r of keyring.retired) {
      if (r.purpose !== "event") continue;
      const state = await ledgered(reader, r.key.kid);
      if (state.added && !state.retired) introducer = r.key;
    }
    await sink.append([added(current, options.origin)], introducer);
    count++;
  }
  // The rest in one append (one commit), signed by the current event key, which the log now trusts.
  const rest: EventInput[] = [];
  for (const key of [keyring.token, keyring.checkpoint, ...keyring.retired.map((r) => r.key)]) {
    if (!(await ledgered(reader, key.kid)).added) rest.push(added(key, options.origin));
  }
  if (options.retire) {
    for (const { key } of keyring.retired) {
      if (!(await ledgered(reader, key.kid)).retired) rest.push(keyRetiredEvent(key.purpose, key.kid));
    }
  }
  if (rest.length > 0) await sink.append(rest, current);
  return count + rest.length;
}
