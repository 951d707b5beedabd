import { describe, expect, it, vi } from "vitest";
import { ApiError, Client } from "./client";
import { LineSplitter, LogsApi, logsPath, parseTailLines } from "./logs";

/** A text answer whose body arrives in `chunks`, then either ends or stays open until the request is aborted. */
function streamed(chunks: string[], keepOpen: boolean, signal?: AbortSignal): Response {
  const bytes = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes.encode(chunk));
      if (!keepOpen) controller.close();
      else signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

describe("logsPath", () => {
  it("quotes names as path segments and sends only the parameters given", () => {
    expect(logsPath("seldondeployments", "seldon", "iris", { process: "seldon.iris.default.ab12-0" })).toBe(
      "/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/resources/logs?process=seldon.iris.default.ab12-0",
    );
    expect(
      logsPath("inferenceservices", "a/b", "x?y", { process: "p&q=1", tailLines: 20, sinceSeconds: 60, timestamps: true, follow: true }),
    ).toBe(
      "/seldon-deploy/api/v1alpha1/namespaces/a%2Fb/inferenceservices/x%3Fy/resources/logs" +
        "?process=p%26q%3D1&tailLines=20&sinceSeconds=60&timestamps=true&follow=true",
    );
  });
});

describe("parseTailLines", () => {
  it("takes a whole number in the route's bounds, or empty for all lines, and says what is wrong otherwise", () => {
    expect(parseTailLines(" 50 ")).toEqual({ value: 50, error: null });
    expect(parseTailLines("")).toEqual({ value: null, error: null });
    for (const bad of ["0", "-3", "2.5", "lots", "10001"]) {
      expect(parseTailLines(bad).error).toBe("a whole number of lines from 1 to 10000");
    }
  });
});

describe("LineSplitter", () => {
  it("hands over whole lines only, joining a line cut across chunks", () => {
    const s = new LineSplitter();
    expect(s.push("first\nsec")).toEqual(["first"]);
    expect(s.push("ond\r\nthi")).toEqual(["second"]);
    expect(s.push("")).toEqual([]);
    expect(s.flush()).toEqual(["thi"]);
    expect(s.flush()).toEqual([]);
  });
});

describe("LogsApi", () => {
  it("reads the last lines as text with the token", async () => {
    const fetcher = vi.fn(async () => new Response("a\nb\n", { status: 200 }));
    const text = await new LogsApi(new Client(() => "tok", () => {}, fetcher)).text("seldondeployments", "seldon", "iris", {
      process: "p-0",
      tailLines: 2,
    });
    expect(text).toBe("a\nb\n");
    const [url, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toContain("?process=p-0&tailLines=2");
    expect(url).not.toContain("follow");
    expect(init.headers).toMatchObject({ Authorization: "Bearer tok", Accept: "text/plain" });
  });

  it("follows: lines as they come, whole, until the server ends the stream", async () => {
    const fetcher = vi.fn(async () => streamed(["one\ntw", "o\n", "three"], false));
    const got: string[][] = [];
    const end = await new LogsApi(new Client(() => null, () => {}, fetcher)).follow(
      "seldondeployments", "seldon", "iris", { process: "p-0" }, (lines) => got.push(lines), new AbortController().signal,
    );
    expect(end).toBe("ended");
    expect(got.flat()).toEqual(["one", "two", "three"]);
    expect((fetcher.mock.calls[0] as unknown as [string])[0]).toContain("follow=true");
  });

  it("stops when the reader aborts, with what came before", async () => {
    const controller = new AbortController();
    const fetcher = vi.fn(async (_url: string, init: RequestInit) => streamed(["kept\n"], true, init.signal ?? undefined));
    const got: string[] = [];
    const following = new LogsApi(new Client(() => null, () => {}, fetcher)).follow(
      "seldondeployments", "seldon", "iris", { process: "p-0" },
      (lines) => {
        got.push(...lines);
        controller.abort(); // the screen unmounts or Follow is switched off
      },
      controller.signal,
    );
    await expect(following).resolves.toBe("stopped");
    expect(got).toEqual(["kept"]);
  });

  it("puts the server's refusal in words: an unknown process is named with the ones that exist", async () => {
    const body = { code: 404, reason: "process_not_found", message: "deployment seldon/iris has no process 'x'; its processes: p-0" };
    const fetcher = vi.fn(async () => new Response(JSON.stringify(body), { status: 404 }));
    const following = new LogsApi(new Client(() => null, () => {}, fetcher)).follow(
      "seldondeployments", "seldon", "iris", { process: "x" }, () => {}, new AbortController().signal,
    );
    await expect(following).rejects.toBeInstanceOf(ApiError);
    await expect(following).rejects.toThrow("its processes: p-0");
  });
});
