import { useEffect, useRef, useState } from "react";

/**
 * Delete with a confirmation in place. Focus follows the keyboard user: to "Keep" (the safe choice) when the
 * question appears, back to "Delete" when it is dismissed, never lost to the page.
 */
export function ConfirmDeleteButton({
  onDelete,
  pending = false,
  question = "Delete the job and its files?",
}: {
  onDelete: () => void;
  pending?: boolean;
  question?: string;
}) {
  const [confirm, setConfirm] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirm) keepRef.current?.focus();
    else if (asked.current) deleteRef.current?.focus();
    asked.current = asked.current || confirm;
  }, [confirm]);
  if (!confirm) {
    return (
      <button type="button" ref={deleteRef} onClick={() => setConfirm(true)}>
        Delete
      </button>
    );
  }
  return (
    <span className="row" role="group" aria-label="Confirm delete">
      <span className="small">{question}</span>
      <button type="button" className="danger" onClick={onDelete} disabled={pending}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      <button type="button" ref={keepRef} onClick={() => setConfirm(false)}>
        Keep
      </button>
    </span>
  );
}
