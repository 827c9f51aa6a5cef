import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setToken } from "../api/client";
import { Downloads } from "./Downloads";

const LABELS = [/Model \(\.keras\)/, /Visualization JSON/, /Everything \(\.zip\)/];

afterEach(() => setToken(null));

describe("Downloads", () => {
  it("is disabled with the reason until the model exists", () => {
    const reason = "The optimized model is saved when the run ends; the buttons turn on by themselves.";
    render(<Downloads jobId="j1" runName="run" modelFile={null} reason={reason} />);
    for (const label of LABELS) {
      const button = screen.getByRole("button", { name: label });
      expect(button).toBeDisabled();
      expect(button).toHaveAccessibleDescription(reason);
    }
    expect(screen.queryAllByRole("link")).toHaveLength(0);
    expect(screen.getByText(reason)).toBeVisible();
  });

  it("turns into download links once the model exists", () => {
    const { rerender } = render(<Downloads jobId="j1" runName="run" modelFile={null} reason="Checking for the optimized model…" />);
    rerender(<Downloads jobId="j1" runName="run" modelFile="optimized_digits_acc_0.9500.keras" reason={null} />);
    const model = screen.getByRole("link", { name: LABELS[0] });
    expect(model.getAttribute("href")).toMatch(/\/api\/download\/j1$/);
    expect(model).toHaveAttribute("download", "optimized_digits_acc_0.9500.keras");
    expect(screen.getByRole("link", { name: LABELS[1] }).getAttribute("href")).toMatch(/\/api\/jobs\/j1\/best-model\/download$/);
    expect(screen.getByRole("link", { name: LABELS[2] })).toHaveAttribute("download", "run.zip");
    expect(screen.queryByText("Checking for the optimized model…")).toBeNull();
    expect(screen.queryAllByRole("button")).toHaveLength(0);
  });

  it("uses enabled buttons that send the token when the server needs one", () => {
    setToken("s3cret");
    render(<Downloads jobId="j1" runName="run" modelFile="m.keras" reason={null} />);
    for (const label of LABELS) expect(screen.getByRole("button", { name: label })).toBeEnabled();
    expect(screen.queryAllByRole("link")).toHaveLength(0);
  });
});
