import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { api, onSignedOut, rememberCsrfToken, unwrap } from "./client";

/** Who is signed in, their role, what the role may do, and the session's CSRF token. */
export type Session = Awaited<ReturnType<typeof fetchSession>>;
export type Capability = Session["capabilities"][number];
export type Role = Session["user"]["role"];

type SessionState =
  | { status: "checking" }
  | { status: "signed-out"; reason?: string }
  | { status: "signed-in"; session: Session };

interface SessionContextValue {
  state: SessionState;
  signIn(user: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

async function fetchSession() {
  return unwrap(api.GET("/api/session"));
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "checking" });

  useEffect(() => {
    fetchSession().then(
      (session) => {
        rememberCsrfToken(session.csrfToken);
        setState({ status: "signed-in", session });
      },
      () => setState({ status: "signed-out" }),
    );
    return onSignedOut(() => {
      rememberCsrfToken(undefined);
      setState((current) =>
        current.status === "signed-in"
          ? { status: "signed-out", reason: "Your session ended. Sign in again to continue." }
          : current,
      );
    });
  }, []);

  const signIn = useCallback(async (user: string, password: string) => {
    const session = await unwrap(api.POST("/api/session", { body: { user, password } }));
    rememberCsrfToken(session.csrfToken);
    setState({ status: "signed-in", session });
  }, []);

  const signOut = useCallback(async () => {
    // Signed out locally whatever the server says: a failed sign-out must not trap the user.
    await unwrap(api.DELETE("/api/session")).catch(() => undefined);
    rememberCsrfToken(undefined);
    setState({ status: "signed-out" });
  }, []);

  return (
    <SessionContext.Provider value={{ state, signIn, signOut }}>{children}</SessionContext.Provider>
  );
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in session; only pages behind the sign-in gate call it. */
export function useSignedIn(): Session {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("useSignedIn outside the sign-in gate");
  return state.session;
}
