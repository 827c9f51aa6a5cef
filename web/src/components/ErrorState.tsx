import { Link } from "react-router-dom";
import { ApiError } from "../api/client";

/** Where to go from an error page instead (router paths, relative to the app's base like every Link). */
export interface ErrorLink {
  to: string;
  label: string;
}

/** An error with the server's message, a retry button and, for a page that cannot be shown, links away from it. */
export function ErrorState({ error, retry, title = "Something went wrong", links = [] }: { error: unknown; retry?: (() => void) | undefined; title?: string; links?: ErrorLink[] }) {
  const message =
    error instanceof ApiError
      ? error.status === 0
        ? "The server cannot be reached. Is `healthtune serve` running?"
        : `${error.message} (HTTP ${error.status})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="card notice error" role="alert">
      <strong>{title}</strong>
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
      {links.length > 0 && (
        <p className="row" style={{ margin: 0 }}>
          {links.map((link) => (
            <Link key={link.to} to={link.to}>
              {link.label}
            </Link>
          ))}
        </p>
      )}
    </div>
  );
}
