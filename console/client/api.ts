// The Evidence API as the page reads it: the auditor's token lives in sessionStorage only (gone when the tab closes).
const TOKEN_KEY = "maestro.token";

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function request(path: string): Promise<Response> {
  const bearer = token.get();
  // no-store: evidence read with a bearer token stays out of the browser's HTTP cache, and every page shows the API's
  // answer of now.
  const response = await fetch(path, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new ApiError(response.status, body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

/** For the API's text answers (the signed checkpoint note, the verifier key, the evidence export the page verifies). */
export async function getText(path: string): Promise<string> {
  return (await request(path)).text();
}

/** Saves a response as a file: links cannot carry the bearer token, so the bytes come through fetch. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
