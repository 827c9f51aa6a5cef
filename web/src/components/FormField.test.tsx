import { useState } from "react";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import bundledSchema from "../../openapi.json";
import { requestFields } from "../lib/requestSchema";
import { FormField } from "./FormField";

const fields = requestFields(bundledSchema);
const EXECUTOR_HELP = {
  local: "Each trial in its own process on this machine.",
  inline: "Trials one by one inside the calling process.",
  runpod: "Each trial is a job on a RunPod serverless GPU endpoint.",
  ray: "Each trial is a task on a Ray cluster.",
};

function Executor() {
  const [value, setValue] = useState<string | boolean>("local");
  return <FormField spec={fields.executor!} value={value} onChange={setValue} choices={EXECUTOR_HELP} hint="fallback" />;
}

describe("FormField with choices", () => {
  it("lists every executor the API allows and explains the chosen one", () => {
    render(<Executor />);
    const select = screen.getByLabelText("Executor");
    const options = [...select.querySelectorAll("option")].map((o) => o.value);
    expect(options).toEqual(["local", "inline", "runpod", "ray"]);
    expect(screen.getByTestId("help-executor")).toHaveTextContent(`local: ${EXECUTOR_HELP.local}`);
    expect(select).toHaveAccessibleDescription(`local: ${EXECUTOR_HELP.local}`);
    fireEvent.change(select, { target: { value: "ray" } });
    expect(screen.getByTestId("help-executor")).toHaveTextContent(`ray: ${EXECUTOR_HELP.ray}`);
  });

  it("falls back to the enum's own description while the choices are unknown", () => {
    render(<FormField spec={fields.pruner!} value="median" onChange={() => undefined} hint="what pruners do" />);
    expect(screen.getByTestId("help-pruner")).toHaveTextContent("what pruners do");
  });
});
