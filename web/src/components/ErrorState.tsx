import { ApiError } from "../api/client";

/** An error with the server's message and a retry button. */
export function ErrorState({ error, retry, title = "Something went wrong" }: { error: unknown; retry?: () => void; title?: string }) {
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
    </div>
  );
}
