import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { checkWebhookUrl, hostAllowed, parseAllowHosts } from "./url-policy.ts";

const none = parseAllowHosts("");
const loopback = parseAllowHosts(" 127.0.0.1 , Localhost:9000");

function refusal(raw: string, allowance = none): string {
  try {
    checkWebhookUrl(raw, allowance);
  } catch (err) {
    expect(err).toBeInstanceOf(MaestroError);
    expect((err as MaestroError).field).toBe("/url");
    return (err as MaestroError).message;
  }
  throw new Error(`${raw} was accepted`);
}

describe("webhook URLs", () => {
  it("accepts https anywhere (the address is checked when connecting)", () => {
    expect(checkWebhookUrl("https://hooks.example.com/maestro", none).host).toBe("hooks.example.com");
  });

  it("refuses other schemes, credentials, fragments and junk", () => {
    expect(refusal("ftp://example.com/x")).toMatch(/must be https \(got ftp\)/);
    expect(refusal("file:///etc/passwd")).toMatch(/must be https/);
    expect(refusal("gopher://127.0.0.1:25/")).toMatch(/must be https/);
    expect(refusal("https://user:pw@example.com/")).toMatch(/user name or password/);
    expect(refusal("https://example.com/#x")).toMatch(/fragment/);
    expect(refusal("not a url")).toMatch(/absolute URL/);
    expect(refusal(`https://example.com/${"a".repeat(2100)}`)).toMatch(/longer/);
  });

  it("allows plain http only to hosts the operator listed", () => {
    expect(refusal("http://example.com/hook")).toMatch(/MAESTRO_WEBHOOK_ALLOW_HOSTS/);
    expect(refusal("http://127.0.0.1:8080/hook")).toMatch(/127\.0\.0\.1:8080 is not/);
    expect(checkWebhookUrl("http://127.0.0.1:8080/hook", loopback).port).toBe("8080");
    expect(checkWebhookUrl("http://localhost:9000/", loopback).hostname).toBe("localhost");
    expect(refusal("http://localhost:9001/", loopback)).toMatch(/localhost:9001 is not/);
  });

  it("matches hosts case-insensitively, with or without the port", () => {
    expect(hostAllowed(new URL("http://LOCALHOST:9000/"), loopback)).toBe(true);
    expect(hostAllowed(new URL("http://127.0.0.1:1/"), loopback)).toBe(true);
    expect(hostAllowed(new URL("http://10.0.0.1/"), loopback)).toBe(false);
  });
});
