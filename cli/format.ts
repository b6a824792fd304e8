// Human output for the CLI: aligned tables, counted nouns, durations and times in words.
import humanizeDuration from "humanize-duration";

/** "1 signed checkpoint", "2 signed checkpoints": the noun is the last word. */
export function count(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

/** 5400 → "1 hour, 30 minutes": the two largest units, rounded. */
export function durationWords(seconds: number): string {
  return humanizeDuration(Math.abs(seconds) * 1000, { largest: 2, round: true, conjunction: " and ", serialComma: false });
}

/** An instant relative to now, for a human reading a list: "in 2 hours", "3 minutes ago". */
export function fromNow(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const seconds = Math.round((ms - now) / 1000);
  if (Math.abs(seconds) < 1) return "now";
  return seconds > 0 ? `in ${durationWords(seconds)}` : `${durationWords(seconds)} ago`;
}

/**
 * Rows under a header, each column padded to its widest cell; the last column is left unpadded so a long
 * text (a reason) does not push trailing spaces. Cells are one line each.
 */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((row) => row.map((cell) => cell.replace(/\s*\n\s*/g, " ")));
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  return `${all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
