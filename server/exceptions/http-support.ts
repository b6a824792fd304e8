// HTTP helpers the waiver, hold and break-glass routes share: optional JSON bodies and services that may be absent.
import { MaestroError } from "../../common/errors.ts";
import { readJson } from "../http/params.ts";

/** An empty body means {}; anything else must be JSON (e.g. an approval with no comment). */
export async function readOptionalJson(req: { text(): Promise<string> }): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  return readJson({ json: async () => JSON.parse(text) });
}

export function service<T>(value: T | undefined, name: string): T {
  if (!value) throw new MaestroError("internal", `the ${name} service is not configured in this server`);
  return value;
}
