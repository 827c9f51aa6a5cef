import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PredictionList } from "./TryModel";

describe("PredictionList", () => {
  it("shows each input with its classes, the most likely first, as percentages", () => {
    render(
      <PredictionList
        inputs={[{ label: "crude oil prices rose" }, { label: "seven.png", image: "data:image/png;base64,AAAA" }]}
        result={{
          kind: "text",
          predictions: [
            { index: 0, top: [{ label: "crude", probability: 0.912 }, { label: "ship", probability: 0.05 }] },
            { index: 1, top: [{ label: "7", probability: 0.5 }] },
          ],
        }}
      />,
    );
    const items = within(screen.getByTestId("predictions")).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("crude oil prices rose");
    expect(items[0]).toHaveTextContent(/crude\s*91\.2%/);
    expect(items[0]).toHaveTextContent(/ship\s*5\.0%/);
    expect(within(items[1] as HTMLElement).getByRole("img")).toHaveAttribute("alt", "seven.png");
  });
});
