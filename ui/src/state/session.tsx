// The session for the whole app: who is signed in, the API client with their token, sign-out, and re-sign-in on 401.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { Client } from "../api/client";
import { WardenApi } from "../api/deployments";
import { clearSession, loadSession, saveSession, type Session } from "../auth/session";

interface SessionState {
  session: Session | null;
  /** Why the user must sign in again (an expired or refused token), or null. */
  expired: string | null;
  api: WardenApi;
  /** The token-carrying client, for the API modules of each screen group (`new CatalogApi(client)`). */
  client: Client;
  signedIn: (session: Session) => void;
  signOut: () => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession(window.sessionStorage));
  const [expired, setExpired] = useState<string | null>(null);

  const signOut = useCallback(() => {
    clearSession(window.sessionStorage);
    setSession(null);
    setExpired(null);
  }, []);

  const client = useMemo(() => {
    return new Client(
      () => session?.token ?? null,
      () => {
        clearSession(window.sessionStorage);
        setSession(null);
        setExpired("Your session has expired or was refused. Please sign in again.");
      },
    );
  }, [session]);
  const api = useMemo(() => new WardenApi(client), [client]);

  const signedIn = useCallback((next: Session) => {
    saveSession(window.sessionStorage, next);
    setSession(next);
    setExpired(null);
  }, []);

  const value = useMemo(
    () => ({ session, expired, api, client, signedIn, signOut }),
    [session, expired, api, client, signedIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}
