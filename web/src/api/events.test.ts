import { describe, expect, it } from "vitest";
import { initialLive, isFinalClose, reduceLive, type RunEvent } from "./events";

function ev(seq: number, type: RunEvent["type"], trial: number | null, data: Record<string, unknown> = {}): RunEvent {
  return { seq, type, trial, data, run_name: "r", time: seq } as RunEvent;
}

describe("reduceLive", () => {
  it("folds trial and epoch events and ignores duplicates from a reconnect", () => {
    let s = initialLive;
    const events = [
      ev(1, "run_started", null, { trials: 2 }),
      ev(2, "trial_started", 0, { params: { filters: 32 } }),
      ev(3, "epoch_ended", 0, { epoch: 1, metrics: { loss: 1.2, val_accuracy: 0.5 } }),
    ];
    for (const e of events) s = reduceLive(s, { kind: "event", event: e });
    // a reconnect with after=2 would not resend 1..2, but a server that did must not duplicate them
    for (const e of events) s = reduceLive(s, { kind: "event", event: e });
    expect(s.lastSeq).toBe(3);
    expect(s.events).toHaveLength(3);
    expect(s.trials[0]?.epochs).toEqual([{ epoch: 1, metrics: { loss: 1.2, val_accuracy: 0.5 } }]);
    s = reduceLive(s, { kind: "event", event: ev(4, "trial_finished", 0, { score: 0.9 }) });
    expect(s.trials[0]?.state).toBe("complete");
    s = reduceLive(s, { kind: "event", event: ev(5, "run_finished", null) });
    expect(s.runState).toBe("finished");
  });

  it("counts reconnects", () => {
    let s = reduceLive(initialLive, { kind: "connection", connection: "open" });
    s = reduceLive(s, { kind: "connection", connection: "closed" });
    s = reduceLive(s, { kind: "connection", connection: "connecting" });
    expect(s.reconnects).toBe(1);
  });
});

describe("isFinalClose", () => {
  it("stops on a normal end, an invalid parameter and the server's 44xx refusals, not on drops", () => {
    for (const code of [1000, 1008, 4401, 4404]) expect(isFinalClose(code)).toBe(true);
    for (const code of [1001, 1006, 1011, 4000, 4500]) expect(isFinalClose(code)).toBe(false);
  });
});
