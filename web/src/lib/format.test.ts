import { describe, expect, it } from "vitest";
import { datasetLabel } from "./format";

describe("datasetLabel", () => {
  it("names uploads and paths as people know them", () => {
    expect(datasetLabel("images:/srv/results/.uploads/clothes/clothes/clothes")).toBe("clothes (upload)");
    expect(datasetLabel("csv:/srv/results/.uploads/news-2/news-2/news-2.csv")).toBe("news-2 (upload)");
    expect(datasetLabel("images:/home/ana/data/pets")).toBe("images: …/pets");
    expect(datasetLabel("texts:/srv/results/.uploads/news/news/news")).toBe("news (upload)");
    expect(datasetLabel("texts:/home/ana/news")).toBe("texts: …/news");
    expect(datasetLabel("csv:/home/ana/reuters-r8/")).toBe("csv: …/reuters-r8");
    expect(datasetLabel("npz:/arrays.npz")).toBe("npz:/arrays.npz");
    expect(datasetLabel("fashion_mnist")).toBe("fashion_mnist");
  });
});
