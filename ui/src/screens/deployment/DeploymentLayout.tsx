import { Box, Breadcrumbs, Link, Tab, Tabs, Typography } from "@mui/material";
import { Link as RouterLink, Outlet, useLocation, useParams } from "react-router";
import { DEPLOYMENT_TABS } from "./tabs";

/** Breadcrumbs and the tab bar above every screen of one deployment (dashboard, monitor, requests, ...). */
export function DeploymentLayout() {
  const { namespace = "", kind = "", name = "" } = useParams();
  const location = useLocation();
  const root = `/ui/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
  const rest = location.pathname.startsWith(root) ? location.pathname.slice(root.length).replace(/^\/+/, "") : "";
  const current = DEPLOYMENT_TABS.find((tab) => tab.path !== "" && rest.split("/")[0] === tab.path)?.path ?? "";

  return (
    <>
      <Breadcrumbs aria-label="breadcrumb" sx={{ mb: 1 }}>
        <Link component={RouterLink} to={`/ui/namespaces/${encodeURIComponent(namespace)}`}>
          {namespace}
        </Link>
        <Typography color="text.primary">{name}</Typography>
      </Breadcrumbs>
      {DEPLOYMENT_TABS.length > 1 && (
        <Box component="nav" aria-label="Deployment screens" sx={{ borderBottom: 1, borderColor: "divider", mb: 2 }}>
          <Tabs value={current} variant="scrollable" scrollButtons="auto">
            {DEPLOYMENT_TABS.map((tab) => (
              <Tab
                key={tab.path}
                value={tab.path}
                label={tab.label}
                component={RouterLink}
                to={tab.path ? `${root}/${tab.path}` : root}
              />
            ))}
          </Tabs>
        </Box>
      )}
      <Outlet />
    </>
  );
}
