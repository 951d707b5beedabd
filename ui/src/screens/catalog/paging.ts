// Keyset paging under a page-numbered grid: the catalog answers a `nextPageToken`, not an offset, so page n is
// reachable only through the token that page n-1 returned. Immutable, so React sees each change.

export class PageTokens {
  constructor(private readonly tokens: readonly (string | null)[] = [null]) {}

  /** The token that fetches `page` (null for the first page); undefined when that page was never reached. */
  tokenOf(page: number): string | null {
    if (page === 0) return null;
    const token = this.tokens[page];
    if (token === undefined || token === null) throw new Error(`page ${page + 1} cannot be reached before page ${page}`);
    return token;
  }

  /** After `page` loaded and answered `next` (null: it was the last page). */
  withNext(page: number, next: string | null): PageTokens {
    const tokens = this.tokens.slice(0, page + 1);
    tokens[page + 1] = next;
    return new PageTokens(tokens);
  }

  hasNext(page: number): boolean {
    return typeof this.tokens[page + 1] === "string";
  }
}
