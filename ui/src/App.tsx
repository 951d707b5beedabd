import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { Dashboard } from "./screens/Dashboard";
import { DeploymentLayout } from "./screens/deployment/DeploymentLayout";
import { Home, Overview } from "./screens/Overview";
import { Shell } from "./screens/Shell";
import { SignIn } from "./screens/SignIn";
import { useSession } from "./state/session";

/** Signed-in screens only: anyone else goes to sign-in, and comes back here after. */
function RequireSession() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) {
    const next = location.pathname.startsWith("/ui/") ? `?next=${encodeURIComponent(location.pathname)}` : "";
    return <Navigate to={`/ui/signin${next}`} replace />;
  }
  return <Outlet />;
}

function NotFound() {
  return <Navigate to="/" replace />;
}

const router = createBrowserRouter([
  { path: "/ui/signin", element: <SignIn /> },
  { path: "/ui/callback", lazy: async () => ({ Component: (await import("./screens/signin/Callback")).Callback }) },
  {
    element: <RequireSession />,
    children: [
      {
        element: <Shell />,
        children: [
          { path: "/", element: <Home /> },
          { path: "/ui/namespaces/:namespace", element: <Overview /> },
          { path: "/ui/usage", lazy: async () => ({ Component: (await import("./screens/usage/Usage")).default }) },
          { path: "/ui/catalog", lazy: () => import("./screens/catalog/Catalog").then((m) => ({ Component: m.Catalog })) },
          {
            path: "/ui/namespaces/:namespace/new",
            lazy: () => import("./screens/create/CreateWizard").then((m) => ({ Component: m.CreateWizard })),
          },
          {
            // One deployment's screens under its tab bar (screens/deployment/tabs.ts lists the tabs).
            path: "/ui/namespaces/:namespace/:kind/:name",
            element: <DeploymentLayout />,
            children: [
              { index: true, element: <Dashboard /> },
              { path: "monitor", lazy: async () => ({ Component: (await import("./screens/monitor/Monitor")).Monitor }) },
              { path: "predict", lazy: async () => ({ Component: (await import("./screens/predict/Predict")).Predict }) },
              {
                path: "loadtests",
                lazy: async () => ({ Component: (await import("./screens/loadtest/LoadTests")).LoadTests }),
              },
              { path: "resources", lazy: async () => ({ Component: (await import("./screens/resources/Resources")).default }) },
              { path: "batchjobs", lazy: async () => ({ Component: (await import("./screens/batch/BatchJobs")).default }) },
              { path: "audit", lazy: async () => ({ Component: (await import("./screens/audit/Audit")).default }) },
              { path: "usage", lazy: async () => ({ Component: (await import("./screens/usage/Usage")).DeploymentUsage }) },
              {
                path: "requests",
                lazy: () => import("./screens/requests/Requests").then((m) => ({ Component: m.Requests })),
              },
            ],
          },
        ],
      },
    ],
  },
  { path: "*", element: <NotFound /> },
]);

export function App() {
  return <RouterProvider router={router} />;
}
