import { useState } from "react";
import { useTensorBoard } from "../api/hooks";
import { InfoTip } from "./InfoTip";

/**
 * Starts (or reuses) TensorBoard on the run's trial logs when asked, then links to it. TensorBoard
 * binds 127.0.0.1 on the server's machine, so the link works there (or through an SSH tunnel).
 */
export function TensorBoardLink({ jobId }: { jobId: string }) {
  const [wanted, setWanted] = useState(false);
  const board = useTensorBoard(jobId, wanted);
  const url = board.data?.url;
  return (
    <div className="row small" data-testid="tensorboard">
      <span className="muted">
        TensorBoard{" "}
        <InfoTip label="TensorBoard">
          Each trial&apos;s loss and accuracy curves and its weight and gradient histograms, per epoch. It runs on the
          server&apos;s machine at 127.0.0.1; from elsewhere, forward its port (ssh -L).
        </InfoTip>
      </span>
      {url ? (
        <a className="button" href={url} target="_blank" rel="noreferrer" data-testid="tensorboard-link">
          Open TensorBoard ↗
        </a>
      ) : (
        <button
          type="button"
          onClick={() => (wanted ? void board.refetch() : setWanted(true))}
          disabled={board.isFetching}
          data-testid="tensorboard-start"
        >
          {board.isFetching ? "Starting TensorBoard…" : board.data ? "Try again" : "Start TensorBoard"}
        </button>
      )}
      {board.data?.reason && (
        <span className="muted" role="status" data-testid="tensorboard-reason">
          {board.data.reason}
        </span>
      )}
      {board.isError && (
        <span className="field-error" role="alert">
          {String((board.error as Error).message)}
        </span>
      )}
    </div>
  );
}
