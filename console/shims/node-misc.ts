// The few other node: names the verifier's modules import, for the browser bundle. Host names go through the browser's
// own WHATWG URL parser, which is what Node's domainToASCII implements.
export function domainToASCII(domain: string): string {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return "";
  }
}

export const fileURLToPath = (url: string | URL): string => new URL(url).pathname;

/** util.isDeepStrictEqual for the JSON values @sigstore/verify compares. */
export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export default { domainToASCII, fileURLToPath, isDeepStrictEqual };
