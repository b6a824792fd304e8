// HTTP helper the waiver routes share: an optional JSON body (an approval may carry no comment).
import { readJson } from "../http/params.ts";

/** An empty body means {}; anything else must be JSON (e.g. an approval with no comment). */
export async function readOptionalJson(req: { text(): Promise<string> }): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  return readJson({ json: async () => JSON.parse(text) });
}
