import {
  AppBar,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  InputLabel,
  Link,
  MenuItem,
  Select,
  Toolbar,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { Link as RouterLink, Outlet, useNavigate, useParams } from "react-router";
import type { Namespace } from "../api/deployments";
import { useSession } from "../state/session";
import { useLoad } from "../state/useLoad";
import { useUiConfig } from "../theme/context";

export const SWAGGER_URL = "/seldon-deploy/swagger/";

// The namespace selector drawn on the app bar's colour: white label, text, arrow and outline (contrast >= 4.5:1).
const ON_APP_BAR = {
  minWidth: 200,
  "& .MuiInputLabel-root, & .MuiInputLabel-root.Mui-focused": { color: "common.white" },
  "& .MuiSelect-select, & .MuiSvgIcon-root": { color: "common.white" },
  "& .MuiOutlinedInput-notchedOutline, &:hover .MuiOutlinedInput-notchedOutline": { borderColor: "common.white" },
  "& .Mui-focused .MuiOutlinedInput-notchedOutline": { borderColor: "common.white" },
} as const;

/** The app bar (namespace selector, API docs, About, sign-out) above every signed-in screen. */
export function Shell() {
  const { api, session, signOut } = useSession();
  const { namespace } = useParams();
  const navigate = useNavigate();
  const [about, setAbout] = useState(false);
  const [namespaces] = useLoad<Namespace[]>(() => api.namespaces(), [api]);

  const theme = useUiConfig().config.theme;
  const names = namespaces.state === "ready" ? namespaces.value.map((n) => n.name) : [];
  const selected = namespace && names.includes(namespace) ? namespace : "";

  return (
    <>
      <AppBar position="static">
        <Toolbar sx={{ gap: 2 }}>
          <Typography variant="h6" component="div">
            <Link
              component={RouterLink}
              to="/"
              color="inherit"
              underline="none"
              sx={{ display: "flex", alignItems: "center", gap: 1 }}
            >
              {theme.logoUrl && <img src={theme.logoUrl} alt="" height={32} data-testid="product-logo" />}
              {theme.productName}
            </Link>
          </Typography>
          <FormControl size="small" sx={ON_APP_BAR}>
            <InputLabel id="namespace-label">Namespace</InputLabel>
            <Select
              labelId="namespace-label"
              id="namespace"
              label="Namespace"
              value={selected}
              onChange={(e) => navigate(`/ui/namespaces/${encodeURIComponent(e.target.value)}`)}
            >
              {names.map((name) => (
                <MenuItem key={name} value={name}>
                  {name}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <Box sx={{ flexGrow: 1 }} />
          <Button color="inherit" component={RouterLink} to="/ui/usage">
            Usage
          </Button>
          <Button color="inherit" component={RouterLink} to="/ui/catalog">
            Model catalog
          </Button>
          <Button color="inherit" href={SWAGGER_URL} target="_blank" rel="noopener">
            API docs
          </Button>
          <Button color="inherit" onClick={() => setAbout(true)}>
            About
          </Button>
          <Button color="inherit" onClick={signOut}>
            Sign out
          </Button>
        </Toolbar>
      </AppBar>
      {namespaces.state === "error" && (
        <Typography role="alert" color="error" sx={{ px: 3, pt: 2 }}>
          The namespaces could not be loaded: {namespaces.message}
        </Typography>
      )}
      <Dialog open={about} onClose={() => setAbout(false)} aria-labelledby="about-title">
        <DialogTitle id="about-title">About Warden</DialogTitle>
        <DialogContent>
          <Typography>Version: {__WARDEN_VERSION__}</Typography>
          <Typography>Signed in as: {session?.user}</Typography>
          <Typography>Groups: {session && session.groups.length > 0 ? session.groups.join(", ") : "none"}</Typography>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setAbout(false)}>Close</Button>
        </DialogActions>
      </Dialog>
      <Box component="main" sx={{ p: 3 }}>
        <Outlet context={namespaces} />
      </Box>
    </>
  );
}
