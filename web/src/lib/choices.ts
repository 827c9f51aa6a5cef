/**
 * What each value of an enum field means, from GET /api/choices (the one source the API docs share);
 * the enum's own description from the OpenAPI schema stands in while it loads or if it fails.
 */

export type Choices = Record<string, Record<string, string>>;

/** Short names of the scoring modes for headings; what they do comes from /api/choices. */
export const MODE_TITLES: Record<string, string> = {
  simple: "Simple",
  health: "Health-aware",
  pareto: "Pareto",
};

/** The sentence for one value of a field, or "" when the server has none. */
export function choiceText(choices: Choices | undefined, field: string, value: string): string {
  return choices?.[field]?.[value] ?? "";
}

/** Every value of a field with its sentence, in the order of `options` (the schema's enum). */
export function choiceList(choices: Choices | undefined, field: string, options: string[]): { value: string; text: string }[] {
  return options.map((value) => ({ value, text: choiceText(choices, field, value) }));
}
