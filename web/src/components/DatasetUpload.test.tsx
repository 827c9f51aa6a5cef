import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { uploadProblem, type Upload } from "../api/upload";
import { UploadList } from "./DatasetUpload";

const CLOTHES: Upload = {
  upload_id: "clothes",
  filename: "clothes.zip",
  dataset_name: "images:/srv/results/.uploads/clothes/clothes/clothes",
  kind: "image",
  size_bytes: 3 * 2 ** 20,
  created_at: "2026-11-27T12:00:00+00:00",
  classes: ["Bag", "Trouser"],
  examples: 1200,
};
const NEWS: Upload = { ...CLOTHES, upload_id: "news", filename: "news.csv", dataset_name: "csv:/n.csv", kind: "text", classes: [] };

describe("uploadProblem", () => {
  it("refuses what the server would refuse before sending it", () => {
    expect(uploadProblem({ name: "pets.rar", size: 10 }, 100)).toMatch(/must end in one of \.zip, \.tar/);
    expect(uploadProblem({ name: "pets.zip", size: 0 }, 100)).toBe("pets.zip is empty");
    expect(uploadProblem({ name: "pets.zip", size: 3 * 2 ** 20 }, 2)).toBe(
      "pets.zip is 3.0 MB; this server takes files up to 2 MB (max_upload_mb)",
    );
    expect(uploadProblem({ name: "Pets.TAR.GZ", size: 10 }, 2)).toBeNull();
    expect(uploadProblem({ name: "a.npz", size: 10 }, undefined)).toBeNull();
  });
});

describe("UploadList", () => {
  it("describes each upload, marks the one in use and hands the others over", () => {
    const onUse = vi.fn();
    render(<UploadList uploads={[CLOTHES, NEWS]} selected={CLOTHES.dataset_name} onUse={onUse} onDelete={vi.fn()} deleting={undefined} />);
    const [clothes, news] = within(screen.getByTestId("uploads")).getAllByRole("listitem") as HTMLElement[];
    expect(clothes).toHaveTextContent("clothes.zip");
    expect(clothes).toHaveTextContent("1,200 images, 2 classes, 3.0 MB: Bag, Trouser");
    expect(within(clothes!).getByRole("button", { name: "In use" })).toBeDisabled();
    expect(news).toHaveTextContent("LSTM");
    fireEvent.click(within(news!).getByRole("button", { name: "Use" }));
    expect(onUse).toHaveBeenCalledWith(NEWS);
  });

  it("asks before deleting", () => {
    const onDelete = vi.fn();
    render(<UploadList uploads={[CLOTHES]} selected="" onUse={vi.fn()} onDelete={onDelete} deleting={undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(screen.getByText("Delete clothes.zip from the server?")).toBeInTheDocument();
    fireEvent.click(within(screen.getByRole("group", { name: "Confirm delete" })).getByRole("button", { name: "Delete" }));
    expect(onDelete).toHaveBeenCalledWith(CLOTHES);
  });
});
