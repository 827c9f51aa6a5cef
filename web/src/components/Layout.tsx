import { NavLink, Outlet } from "react-router-dom";
import { ThemeToggle } from "./ThemeToggle";
import { TokenPrompt } from "./TokenPrompt";
import { ApiError } from "../api/client";
import { useServerHealth } from "../api/hooks";

/** Header with navigation and theme; the API token prompt when the server asks for one. */
export function Layout() {
  const health = useServerHealth();
  const needsToken = health.error instanceof ApiError && health.error.status === 401;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <NavLink to="/" className="brand" end>
            <img src="favicon.svg" alt="" />
            healthtune
          </NavLink>
          <nav className="nav" aria-label="Main">
            <NavLink to="/new">New optimization</NavLink>
            <NavLink to="/jobs">Jobs</NavLink>
          </nav>
          <span className="muted small" title="server version">
            {health.data ? `v${health.data.version}` : ""}
          </span>
          <ThemeToggle />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {needsToken && <TokenPrompt />}
        <Outlet />
      </main>
    </>
  );
}
