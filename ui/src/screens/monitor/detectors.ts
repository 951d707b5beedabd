// The deployment's detectors by kind, shared by the Monitor tab and the dashboard widget (no charts here: the
// dashboard is in the main bundle, the charts are not).
import type { Detector, DetectorKind, MonitorApi } from "../../api/monitor";

export const DETECTOR_KINDS: DetectorKind[] = ["outlier-detector", "drift-detector", "metrics-server"];

export type DetectorLists = Record<DetectorKind, Detector[]>;

/** Every detector of the deployment, by kind. */
export async function loadDetectors(monitor: MonitorApi): Promise<DetectorLists> {
  const lists = await Promise.all(DETECTOR_KINDS.map((kind) => monitor.detectors(kind)));
  return Object.fromEntries(DETECTOR_KINDS.map((kind, i) => [kind, lists[i]])) as DetectorLists;
}

export function stateColor(state: string): "success" | "warning" | "error" {
  return state === "Loaded" ? "success" : state === "Failed" ? "error" : "warning";
}

