import { describe, expect, it, vi } from "vitest";
import { Client } from "./client";
import { lastLines, OpsApi, parseCommits, parseDiff, parseGitOpsStatus, parseProcesses, shortHash } from "./ops";

// The shape of serving's `?view=processes` answer (runtime/local.py resources + group/process snapshots).
const processesView = {
  namespace: "seldon",
  name: "iris",
  kind: "SeldonDeployment",
  status: "Available",
  reason: null,
  predictors: [
    {
      name: "default",
      traffic: 75,
      shadow: false,
      model_uri: "file:///m/iris",
      implementation: "SKLEARN_SERVER",
      replicas: [
        { name: "iris-default-0", pid: 4242, port: 9001, state: "ready", restarts: 1, started_at: 1767616209, reason: null, logs: ["a", "b", "c"] },
      ],
    },
    { name: "mirror", traffic: 0, shadow: true, implementation: "XGBOOST_SERVER", replicas: [{ name: "iris-mirror-0", state: "crashed", reason: "exit 1" }] },
    { name: "pending", traffic: 25, shadow: false },
  ],
};

describe("parseProcesses", () => {
  it("flattens predictors to one row per process, with role, model and a readable start time", () => {
    const p = parseProcesses(processesView);
    expect(p.status).toBe("Available");
    expect(p.processes.map((x) => [x.predictor, x.role, x.name, x.state, x.restarts, x.pid, x.port, x.model])).toEqual([
      ["default", "live", "iris-default-0", "ready", 1, 4242, 9001, "file:///m/iris"],
      ["mirror", "shadow", "iris-mirror-0", "crashed", 0, null, null, "XGBOOST_SERVER"],
    ]);
    expect(p.processes[0]!.startedAt).toBe("2026-01-05T12:30:09.000Z");
    expect(p.processes[0]!.logs).toEqual(["a", "b", "c"]);
    expect(p.processes[1]!.reason).toBe("exit 1");
    expect(p.idlePredictors).toEqual(["pending"]);
  });

  it("answers an empty list, not a crash, for an unexpected body", () => {
    expect(parseProcesses("nonsense")).toEqual({ status: "Unknown", reason: null, processes: [], idlePredictors: [] });
  });
});

describe("lastLines", () => {
  it("keeps the last N lines, all of them for a non-positive or fractional N", () => {
    expect(lastLines(["a", "b", "c"], 2)).toEqual(["b", "c"]);
    expect(lastLines(["a", "b", "c"], 10)).toEqual(["a", "b", "c"]);
    expect(lastLines(["a", "b"], 0)).toEqual(["a", "b"]);
    expect(lastLines(["a", "b"], 1.5)).toEqual(["a", "b"]);
  });
});

describe("git parsers", () => {
  it("reads gitlogs entries and drops those without a hash", () => {
    const commits = parseCommits([
      { Hash: "3f1c2a9e5b7d4c10", ParentHash: "", AuthorName: "alice", AuthorEmail: "a@x", AuthorWhen: "2026-01-05T12:30:09+00:00", Message: "Canary added\n" },
      { Message: "no hash" },
    ]);
    expect(commits).toEqual([
      { hash: "3f1c2a9e5b7d4c10", parent: null, author: "alice", authorEmail: "a@x", when: "2026-01-05T12:30:09+00:00", message: "Canary added" },
    ]);
    expect(parseCommits({ not: "a list" })).toEqual([]);
  });

  it("reads a gitdiff answer and the GitOps status", () => {
    expect(parseDiff({ CommitHash: "abc", PrevCommitHash: "", FileName: "seldon/iris.yaml", ChangeType: "insert", To: "x: 1\n" })).toEqual({
      hash: "abc", previous: null, file: "seldon/iris.yaml", changeType: "insert", before: "", after: "x: 1\n", patch: "",
    });
    expect(parseGitOpsStatus({ gitops: true, branch: "main", head: "h" })).toMatchObject({ gitops: true, branch: "main", head: "h", remote: null });
    expect(parseGitOpsStatus(null).gitops).toBe(false);
    expect(shortHash("0123456789abcdef")).toBe("0123456789ab");
  });
});

describe("OpsApi", () => {
  const answering = (body: unknown, status = 200) =>
    vi.fn(async (_path: string, _init: RequestInit) => new Response(JSON.stringify(body), { status }));

  it("asks for the processes view with quoted segments", async () => {
    const fetcher = answering(processesView);
    const p = await new OpsApi(new Client(() => "t", () => {}, fetcher)).processes("seldondeployments", "my ns", "iris");
    expect(fetcher.mock.calls[0]![0]).toBe("/seldon-deploy/api/v1alpha1/namespaces/my%20ns/seldondeployments/iris/resources?view=processes");
    expect(p.processes).toHaveLength(2);
  });

  it("puts the hash and comment of a restore in the query, never in the path", async () => {
    const fetcher = answering({ code: 200, message: "SeldonDeployment seldon/iris restored to commit abc: updated" });
    const api = new OpsApi(new Client(() => "t", () => {}, fetcher));
    const answer = await api.restore("seldondeployments", "seldon", "iris", "abc/../x", " back & forth ");
    expect(answer).toContain("restored to commit abc");
    const [path, init] = fetcher.mock.calls[0]!;
    expect(init.method).toBe("POST");
    const url = new URL(path, "http://x");
    expect(url.pathname).toBe("/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/gitrestore");
    expect(url.searchParams.get("hash")).toBe("abc/../x");
    expect(url.searchParams.get("message")).toBe("back & forth");
  });

  it("turns an error answer into the API's words", async () => {
    const fetcher = answering({ code: 404, reason: "commit_not_found", message: "no commit abc for seldon/iris" }, 404);
    const api = new OpsApi(new Client(() => "t", () => {}, fetcher));
    await expect(api.diff("inferenceservices", "seldon", "iris", "abc")).rejects.toThrow("no commit abc for seldon/iris");
    expect(fetcher.mock.calls[0]![0]).toBe("/seldon-deploy/api/v1alpha1/namespaces/seldon/inferenceservices/iris/gitdiff?hash=abc");
  });
});
