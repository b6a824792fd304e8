// `--witness VKEY|FILE` (repeatable) and `--quorum K`: the trusted witnesses and how many must cosign, for the verify commands.
import { existsSync } from "node:fs";
import { readArgFile, UsageError } from "../command.ts";
import { itemAt } from "../../common/present.ts";

export const WITNESS_FLAGS = { witness: { type: "string", multiple: true }, quorum: { type: "string" } } as const;

export const WITNESS_USAGE = `Witnesses (C2SP tlog-witness; optional):
  --witness VKEY|FILE        a trusted witness's cosigner vkey (name+keyid+key, type 0x04), or a file of
                             them, one per line (a MAESTRO_WITNESSES file works: the URL is ignored); repeatable
  --quorum K                 how many distinct witnesses must have cosigned (default: all of them)`;

// Same rule as --key: a vkey-shaped argument that is not a file is a key; anything else is read as a file.
const VKEY_SHAPE = /^[^+\s]+\+[0-9a-f]{8}\+\S+$/;

/** The witness requirement the flags give, or undefined when no --witness is given (then --quorum is refused). */
export function readWitnessFlags(values: { witness?: string[]; quorum?: string }): { vkeys: string[]; quorum: number } | undefined {
  if (!values.witness?.length) {
    if (values.quorum !== undefined) throw new UsageError("--quorum needs --witness");
    return undefined;
  }
  const vkeys = values.witness.flatMap((a) => {
    if (!existsSync(a) && VKEY_SHAPE.test(a)) return [a];
    const keys = readArgFile(a, `--witness ${a}`)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => itemAt(l.split(/\s+/), 0, "a witness line's fields")); // split gives at least one
    if (keys.length === 0) throw new UsageError(`--witness ${a} holds no witness key`);
    return keys;
  });
  const unique = [...new Set(vkeys)];
  const quorum = values.quorum === undefined ? unique.length : Number(values.quorum);
  if (!/^[1-9][0-9]*$/.test(values.quorum ?? "1") || !Number.isSafeInteger(quorum) || quorum > unique.length) {
    throw new UsageError(`--quorum must be 1..${unique.length} (the number of --witness keys)`);
  }
  return { vkeys: unique, quorum };
}
