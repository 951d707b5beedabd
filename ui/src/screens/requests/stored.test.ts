import { describe, expect, it } from "vitest";
import type { StoredExplanation } from "../../api/requests";
import { computedAt, storedFor } from "./stored";

const e = (over: Record<string, unknown>): StoredExplanation => ({ id: "x", instance: 0, status: "succeeded", explanation: { data: {} }, ...over });

describe("storedFor", () => {
  it("takes the newest succeeded explanation of the instance (the list is newest first)", () => {
    const list = [e({ id: "other", instance: 1 }), e({ id: "new" }), e({ id: "old" })];
    expect(storedFor(list, 0)?.id).toBe("new");
    expect(storedFor(list, 1)?.id).toBe("other");
  });

  it("skips failed ones, and answers null when nothing is stored for the instance", () => {
    expect(storedFor([e({ id: "f", status: "failed", explanation: undefined }), e({ id: "ok" })], 0)?.id).toBe("ok");
    expect(storedFor([e({ status: "failed" })], 0)).toBeNull();
    expect(storedFor([e({ instance: 2 })], 0)).toBeNull();
    expect(storedFor([], 0)).toBeNull();
  });

  it("takes a running one too, to follow it rather than start another", () => {
    expect(storedFor([e({ id: "r", status: "running", explanation: undefined })], 0)?.id).toBe("r");
  });
});

describe("computedAt", () => {
  it("prefers the finish time and says nothing for an unreadable time", () => {
    const at = "2026-12-04T18:00:01+00:00";
    expect(computedAt(e({ finishedAt: at, createdAt: "2026-12-04T17:00:00+00:00" }))).toBe(new Date(at).toLocaleString());
    expect(computedAt(e({ createdAt: "nonsense" }))).toBe("");
  });
});
