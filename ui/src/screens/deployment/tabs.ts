// The screens of one deployment, in the order of its tab bar; `path` is relative to the deployment's URL
// (`/ui/namespaces/{ns}/{kind}/{name}`), "" being the dashboard. Each screen's route is in App.tsx.
export interface DeploymentTab {
  path: string;
  label: string;
}

export const DEPLOYMENT_TABS: DeploymentTab[] = [
  { path: "", label: "Dashboard" },
  { path: "monitor", label: "Monitor" },
  { path: "requests", label: "Requests" },
  { path: "predict", label: "Predict" },
  { path: "loadtests", label: "Load tests" },
  { path: "resources", label: "Resources" },
  { path: "batchjobs", label: "Batch jobs" },
  { path: "audit", label: "Audit" },
  { path: "usage", label: "Usage" },
];
