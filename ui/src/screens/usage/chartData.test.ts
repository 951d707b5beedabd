import { describe, expect, it } from "vitest";
import { onOneAxis } from "./chartData";

const at = (iso: string, cpuCores: number | null) => ({ time: new Date(iso), cpuCores, memoryBytes: null, processes: 1 });

describe("onOneAxis", () => {
  it("merges the times of every series and leaves gaps as null", () => {
    const { times, lines } = onOneAxis(
      [
        { label: "a/x", points: [at("2026-01-05T10:01:00Z", 0.2), at("2026-01-05T10:00:00Z", 0.1)] },
        { label: "a/y", points: [at("2026-01-05T10:02:00Z", 0.5)] },
      ],
      (p) => p.cpuCores,
    );
    expect(times.map((t) => t.toISOString())).toEqual([
      "2026-01-05T10:00:00.000Z",
      "2026-01-05T10:01:00.000Z",
      "2026-01-05T10:02:00.000Z",
    ]);
    expect(lines).toEqual([
      { label: "a/x", data: [0.1, 0.2, null] },
      { label: "a/y", data: [null, null, 0.5] },
    ]);
  });
});
