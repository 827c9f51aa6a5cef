/**
 * Live progress: WS /api/jobs/{id}/events?after=K, reconnecting with the last sequence number seen so
 * nothing is missed or shown twice. Before each reconnect, the events missed while disconnected are
 * fetched page by page from GET /api/jobs/{id}/events?after=K (so a dashboard catches up even where a
 * proxy keeps refusing the WebSocket). The stream closes normally (1000) once the job has ended.
 *
 * Event types come from the OpenAPI schema of GET /api/jobs/{id}/events; the WebSocket sends the same JSON.
 */
import { useEffect, useReducer, useRef } from "react";
import { api, getToken } from "./client";
import type { components } from "./schema";
import { wsUrl } from "../base";

type Schemas = components["schemas"];

/** One progress event, generated from the server's schema (one type per event `type`, with its `data`). */
export type RunEvent =
  | Schemas["RunStartedEvent"]
  | Schemas["TrialStartedEvent"]
  | Schemas["EpochEndedEvent"]
  | Schemas["TrialFinishedEvent"]
  | Schemas["TrialPrunedEvent"]
  | Schemas["TrialFailedEvent"]
  | Schemas["RunFinishedEvent"]
  | Schemas["RunFailedEvent"]
  | Schemas["RunCancelledEvent"];

export type EventType = RunEvent["type"];

export type Connection = "connecting" | "open" | "closed" | "ended";

/**
 * Close codes after which reconnecting cannot help: 1000 (the job ended), 1008 (an invalid
 * parameter) and the server's 44xx refusals (4401 bad token, 4404 unknown job; see docs/server.md).
 */
export function isFinalClose(code: number): boolean {
  return code === 1000 || code === 1008 || (code >= 4400 && code < 4500);
}

export interface LiveTrial {
  trial: number;
  params: Record<string, unknown>;
  startedAt: number;
  epochs: { epoch: number; metrics: Record<string, number> }[];
  state: "running" | "complete" | "pruned" | "failed";
}

export interface LiveState {
  lastSeq: number;
  connection: Connection;
  reconnects: number;
  events: RunEvent[];
  trials: Record<number, LiveTrial>;
  runState: string | null;
}

export const initialLive: LiveState = {
  lastSeq: 0,
  connection: "connecting",
  reconnects: 0,
  events: [],
  trials: {},
  runState: null,
};

type Action =
  | { kind: "event"; event: RunEvent }
  | { kind: "connection"; connection: Connection }
  | { kind: "reset" };

const MAX_EVENTS = 2000;
/** Events per page of GET /api/jobs/{id}/events, and at most how many pages one catch-up reads. */
export const BACKFILL_PAGE = 500;
const BACKFILL_PAGES = 40;

/**
 * The events after `after`, oldest first, read page by page from GET /api/jobs/{id}/events; each page
 * is handed to `deliver` as it arrives. Returns the last sequence number seen. Stops at the first
 * short page, or quietly on an error (the WebSocket that follows resumes from what was delivered).
 */
export async function backfillEvents(jobId: string, after: number, deliver: (event: RunEvent) => void): Promise<number> {
  let last = after;
  for (let page = 0; page < BACKFILL_PAGES; page++) {
    let events: RunEvent[];
    try {
      const result = await api.GET("/api/jobs/{job_id}/events", {
        params: { path: { job_id: jobId }, query: { after: last, limit: BACKFILL_PAGE } },
      });
      if (!result.response.ok || !result.data) return last;
      events = result.data;
    } catch {
      return last;
    }
    for (const event of events) {
      deliver(event);
      last = Math.max(last, event.seq);
    }
    if (events.length < BACKFILL_PAGE) return last;
  }
  return last;
}

/** Fold one event into the live state; events at or below lastSeq are ignored (no duplicates). */
export function reduceLive(state: LiveState, action: Action): LiveState {
  if (action.kind === "reset") return initialLive;
  if (action.kind === "connection") {
    return {
      ...state,
      connection: action.connection,
      reconnects: action.connection === "connecting" && state.connection === "closed" ? state.reconnects + 1 : state.reconnects,
    };
  }
  const event = action.event;
  if (event.seq <= state.lastSeq) return state;
  const events = state.events.length >= MAX_EVENTS ? [...state.events.slice(-MAX_EVENTS / 2), event] : [...state.events, event];
  const trials = { ...state.trials };
  const n = event.trial;
  let runState = state.runState;
  switch (event.type) {
    case "run_started":
      runState = "running";
      break;
    case "trial_started":
      if (n != null)
        trials[n] = {
          trial: n,
          params: event.data?.params ?? {},
          startedAt: event.time,
          epochs: [],
          state: "running",
        };
      break;
    case "epoch_ended":
      if (n != null && trials[n]) {
        const t = trials[n];
        trials[n] = {
          ...t,
          epochs: [...t.epochs, { epoch: event.data?.epoch ?? 0, metrics: event.data?.metrics ?? {} }],
        };
      }
      break;
    case "trial_finished":
    case "trial_pruned":
    case "trial_failed":
      if (n != null && trials[n]) {
        trials[n] = {
          ...trials[n],
          state: event.type === "trial_finished" ? "complete" : event.type === "trial_pruned" ? "pruned" : "failed",
        };
      }
      break;
    case "run_finished":
    case "run_failed":
    case "run_cancelled":
      runState = event.type.slice(4);
      for (const key of Object.keys(trials)) {
        const t = trials[Number(key)];
        if (t && t.state === "running") trials[Number(key)] = { ...t, state: "failed" };
      }
      break;
  }
  return { ...state, lastSeq: event.seq, events, trials, runState };
}

export interface UseJobEventsOptions {
  /** called for each new event (after the state is updated), e.g. to refresh queries */
  onEvent?: (event: RunEvent) => void;
  /** stop reconnecting: the job is over and the stream closed normally */
  ended?: boolean;
  /** change it to follow the stream again after it ended (e.g. the job was resumed) */
  restartKey?: string | number;
}

/** Follow a job's events; reconnects with backoff (1 s .. 15 s) and resumes after the last seq. */
export function useJobEvents(jobId: string, options: UseJobEventsOptions = {}): LiveState {
  const [state, dispatch] = useReducer(reduceLive, initialLive);
  const lastSeq = useRef(0);
  const onEvent = useRef(options.onEvent);
  onEvent.current = options.onEvent;
  const ended = useRef(options.ended ?? false);
  ended.current = options.ended ?? false;

  const followed = useRef<string | null>(null);
  const restartKey = options.restartKey ?? 0;

  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let disposed = false;
    if (followed.current !== jobId) {
      followed.current = jobId;
      lastSeq.current = 0;
      dispatch({ kind: "reset" });
    }

    const deliver = (event: RunEvent) => {
      if (typeof event.seq !== "number" || event.seq <= lastSeq.current) return;
      lastSeq.current = event.seq;
      dispatch({ kind: "event", event });
      onEvent.current?.(event);
    };

    const connect = async () => {
      if (disposed) return;
      dispatch({ kind: "connection", connection: "connecting" });
      // a reconnect: first catch up on what was missed over HTTP, then follow the stream from there
      if (lastSeq.current > 0) {
        await backfillEvents(jobId, lastSeq.current, (event) => {
          if (!disposed) deliver(event);
        });
      }
      if (disposed) return;
      const params = new URLSearchParams({ after: String(lastSeq.current) });
      const token = getToken();
      if (token) params.set("token", token);
      socket = new WebSocket(`${wsUrl(`api/jobs/${encodeURIComponent(jobId)}/events`)}?${params}`);
      socket.onopen = () => {
        attempt = 0;
        dispatch({ kind: "connection", connection: "open" });
      };
      socket.onmessage = (message) => {
        let event: RunEvent;
        try {
          event = JSON.parse(String(message.data)) as RunEvent;
        } catch {
          return; // not an event
        }
        deliver(event);
      };
      socket.onclose = (close) => {
        socket = null;
        if (disposed) return;
        if (isFinalClose(close.code) || ended.current) {
          dispatch({ kind: "connection", connection: "ended" });
          return; // the job is over (or we may not watch it): nothing more will come
        }
        dispatch({ kind: "connection", connection: "closed" });
        const delay = Math.min(15_000, 1000 * 2 ** attempt);
        attempt += 1;
        timer = setTimeout(() => void connect(), delay);
      };
      socket.onerror = () => {
        /* onclose follows and schedules the reconnect */
      };
    };
    void connect();
    return () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.onmessage = null;
        socket.onerror = null;
        if (socket.readyState === WebSocket.OPEN) socket.close(1000);
        else if (socket.readyState === WebSocket.CONNECTING) {
          const pending = socket;
          pending.onopen = () => pending.close(1000);
        }
      }
    };
  }, [jobId, restartKey]);

  return state;
}
