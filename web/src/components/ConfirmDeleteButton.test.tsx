import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ConfirmDeleteButton } from "./ConfirmDeleteButton";

describe("ConfirmDeleteButton", () => {
  it("moves focus to Keep when it asks, and back to Delete when kept (focus is never dropped on the page)", () => {
    const onDelete = vi.fn();
    render(<ConfirmDeleteButton onDelete={onDelete} />);
    const first = screen.getByRole("button", { name: "Delete" });
    first.focus();
    fireEvent.click(first);
    expect(screen.getByRole("group", { name: "Confirm delete" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Keep" })).toHaveFocus();
    fireEvent.click(screen.getByRole("button", { name: "Keep" }));
    expect(screen.getByRole("button", { name: "Delete" })).toHaveFocus();
    expect(onDelete).not.toHaveBeenCalled();
  });

  it("deletes only after the confirmation", () => {
    const onDelete = vi.fn();
    render(<ConfirmDeleteButton onDelete={onDelete} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(onDelete).toHaveBeenCalledTimes(1);
  });

  it("does not grab focus on first render", () => {
    render(
      <>
        <input aria-label="elsewhere" autoFocus />
        <ConfirmDeleteButton onDelete={() => undefined} />
      </>,
    );
    expect(screen.getByRole("button", { name: "Delete" })).not.toHaveFocus();
  });
});
