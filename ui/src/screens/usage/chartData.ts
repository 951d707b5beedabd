import type { UsagePoint, UsageSeries } from "../../api/usage";

/** One shared time axis for all series (their buckets may differ), each series' values on it, null where absent. */
export function onOneAxis(
  series: UsageSeries[],
  value: (point: UsagePoint) => number | null,
): { times: Date[]; lines: { label: string; data: (number | null)[] }[] } {
  const stamps = [...new Set(series.flatMap((s) => s.points.map((p) => p.time.getTime())))].sort((a, b) => a - b);
  const index = new Map(stamps.map((t, i) => [t, i]));
  const lines = series.map((s) => {
    const data: (number | null)[] = stamps.map(() => null);
    for (const p of s.points) data[index.get(p.time.getTime())!] = value(p);
    return { label: s.label, data };
  });
  return { times: stamps.map((t) => new Date(t)), lines };
}
