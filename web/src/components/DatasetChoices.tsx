import type { Dataset } from "../api/client";

/** The registry's datasets as radio cards (kind, architecture, cached or download size), and "Your own data". */
export function DatasetChoices({
  datasets,
  selected,
  onPick,
  onOwn,
}: {
  datasets: Dataset[];
  /** the registry dataset picked, or null for the user's own data */
  selected: string | null;
  onPick: (name: string) => void;
  onOwn: () => void;
}) {
  return (
    <div className="choices" role="radiogroup" aria-label="Dataset">
      {datasets.map((d) => (
        <label key={d.name} className="choice">
          <input
            type="radio"
            name="dataset"
            value={d.name}
            checked={selected === d.name}
            onChange={() => onPick(d.name)}
          />
          <span className="choice-title">
            {d.name}
            <span className="badge">{d.kind}</span>
            <span className="badge info">{d.architecture.toUpperCase()}</span>
            {d.cached ? <span className="badge ok">cached</span> : <span className="badge warning">downloads {d.download_size_mb ?? "?"} MB</span>}
          </span>
          <span className="choice-body">
            {d.description}
            <br />
            {d.input_shape ? `shape ${d.input_shape.join("×")}` : "variable length"}
            {d.num_classes ? `, ${d.num_classes} classes` : ""}
          </span>
        </label>
      ))}
      <label className="choice">
        <input type="radio" name="dataset" value="" checked={selected === null} onChange={onOwn} data-testid="own-data" />
        <span className="choice-title">
          Your own data<span className="badge">images or text</span>
        </span>
        <span className="choice-body">
          Upload a zipped folder with one sub-folder of images (or .txt files) per class, a CSV with label,text columns, or
          numpy arrays saved with <code>np.savez</code>; or name one on the server&apos;s machine
          (<code>images:PATH</code>, <code>texts:PATH</code>, <code>csv:PATH</code>, <code>npz:PATH</code>).
        </span>
      </label>
    </div>
  );
}
