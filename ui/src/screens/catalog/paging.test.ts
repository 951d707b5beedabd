import { describe, expect, it } from "vitest";
import { PageTokens } from "./paging";

describe("PageTokens", () => {
  it("reaches page n with the token page n-1 answered", () => {
    let t = new PageTokens();
    expect(t.tokenOf(0)).toBeNull();
    expect(t.hasNext(0)).toBe(false);
    t = t.withNext(0, "A");
    expect([t.hasNext(0), t.tokenOf(1)]).toEqual([true, "A"]);
    t = t.withNext(1, null);
    expect(t.hasNext(1)).toBe(false);
  });

  it("refuses a page it has no token for", () => {
    expect(() => new PageTokens().tokenOf(2)).toThrow(/cannot be reached/);
  });

  it("forgets later tokens when an earlier page is loaded again", () => {
    const t = new PageTokens().withNext(0, "A").withNext(1, "B").withNext(0, "A2");
    expect([t.tokenOf(1), t.hasNext(1)]).toEqual(["A2", false]);
  });
});
