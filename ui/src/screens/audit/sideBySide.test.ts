import { describe, expect, it } from "vitest";
import { sideBySide } from "./sideBySide";

describe("sideBySide", () => {
  it("puts an edited line on one row, unchanged lines on both sides", () => {
    expect(sideBySide("a\nb\nc\n", "a\nB\nc\n")).toEqual([
      { left: "a", right: "a", changed: false },
      { left: "b", right: "B", changed: true },
      { left: "c", right: "c", changed: false },
    ]);
  });

  it("pads the shorter side of a change with nothing", () => {
    expect(sideBySide("a\n", "a\nx\ny\n")).toEqual([
      { left: "a", right: "a", changed: false },
      { left: null, right: "x", changed: true },
      { left: null, right: "y", changed: true },
    ]);
    expect(sideBySide("gone\n", "")).toEqual([{ left: "gone", right: null, changed: true }]);
    expect(sideBySide("", "")).toEqual([]);
  });
});
