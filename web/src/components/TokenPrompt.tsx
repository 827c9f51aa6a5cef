import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { getToken, setToken } from "../api/client";

/** Shown when the server answers 401: it was started with HEALTHTUNE_API_TOKEN. */
export function TokenPrompt() {
  const [value, setValue] = useState(getToken() ?? "");
  const client = useQueryClient();
  return (
    <form
      className="card notice"
      role="alert"
      onSubmit={(event) => {
        event.preventDefault();
        setToken(value.trim() || null);
        void client.invalidateQueries();
      }}
    >
      <strong>This server needs an API token.</strong>
      <p>It was started with HEALTHTUNE_API_TOKEN. Enter the token; it is kept in this browser only.</p>
      <div className="row">
        <label htmlFor="api-token" className="visually-hidden">
          API token
        </label>
        <input id="api-token" type="password" value={value} onChange={(e) => setValue(e.target.value)} style={{ maxWidth: 320 }} autoComplete="off" />
        <button type="submit" className="primary">
          Use token
        </button>
      </div>
    </form>
  );
}
