import { useEffect, useRef, useState } from "react";
import cytoscape, { type Core } from "cytoscape";
import { healthColor, shapeText, type ArchitectureJson, type NodeData, HEALTH_COLORS } from "../lib/architecture";
import { human, num, pct } from "../lib/format";
import { saveBlob as download } from "../api/client";

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** The graph as a standalone SVG (nodes as rounded boxes, edges as arrows), from Cytoscape's positions. */
function toSvg(cy: Core, byHealth: boolean): string {
  const box = cy.elements().boundingBox({});
  const pad = 20;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${box.w + 2 * pad}" height="${box.h + 2 * pad}" viewBox="${box.x1 - pad} ${box.y1 - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}" font-family="sans-serif">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>');
  cy.edges().forEach((edge) => {
    const s = edge.sourceEndpoint();
    const t = edge.targetEndpoint();
    parts.push(`<line x1="${s.x}" y1="${s.y}" x2="${t.x}" y2="${t.y}" stroke="#888" stroke-width="1.5" marker-end="url(#arrow)"/>`);
  });
  cy.nodes().forEach((node) => {
    const p = node.position();
    const w = node.width();
    const h = node.height();
    const d = node.data() as NodeData;
    const fill = byHealth ? healthColor(d.health_state) : d.color;
    parts.push(`<rect x="${p.x - w / 2}" y="${p.y - h / 2}" width="${w}" height="${h}" rx="6" fill="${fill}"/>`);
    d.label.split("\n").forEach((line, i, lines) => {
      parts.push(`<text x="${p.x}" y="${p.y + (i - (lines.length - 1) / 2) * 12 + 4}" font-size="10" text-anchor="middle" fill="#fff">${escapeXml(line)}</text>`);
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Cytoscape.js diagram of the network: layers in data-flow order, legend, details, health colours, animation, export. */
export default function ArchitectureGraph({ data, name }: { data: ArchitectureJson; name: string }) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const [selected, setSelected] = useState<NodeData | null>(null);
  const [byHealth, setByHealth] = useState(false);
  const [animating, setAnimating] = useState(false);
  const nodes = data.cytoscape.elements.nodes;

  useEffect(() => {
    if (!container.current) return;
    const layers = new Map(data.visualization.layers.map((l) => [l.layer_id, l]));
    const cy = cytoscape({
      container: container.current,
      elements: [
        ...nodes.map((n) => {
          const layer = layers.get(n.data.id);
          return { data: { ...n.data }, position: { x: (layer?.position_x ?? 0) * 150, y: (n.data.level ?? 0) * 58 } };
        }),
        ...data.cytoscape.elements.edges.map((e) => ({ data: { ...e.data } })),
      ],
      layout: { name: "preset", fit: true, padding: 20 },
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(color)",
            shape: "data(shape)" as never,
            label: "data(label)",
            "text-wrap": "wrap",
            "text-valign": "center",
            "text-halign": "center",
            color: "#fff",
            "font-size": 9,
            width: 130,
            height: 36,
            "text-outline-width": 0,
            "border-width": 0,
          },
        },
        { selector: "node.health", style: { "background-color": "data(healthColor)" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#2563eb" } },
        { selector: "node.pulse", style: { "border-width": 4, "border-color": "#facc15", "background-blacken": -0.3 } },
        {
          selector: "edge",
          style: {
            width: 1.5,
            "line-color": "#94a3b8",
            "target-arrow-color": "#94a3b8",
            "target-arrow-shape": "triangle",
            "curve-style": "bezier",
            label: "data(tensor_shape)",
            "font-size": 8,
            color: "#64748b",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.7,
            "text-background-padding": "1px",
          },
        },
        { selector: "edge.pulse", style: { "line-color": "#facc15", "target-arrow-color": "#facc15", width: 3 } },
      ],
    });
    if (cy.zoom() < 0.6) {
      // a deep network: readable labels first, starting at the input; drag or scroll to see the rest
      cy.zoom(0.6);
      const first = cy.nodes()[0];
      if (first) cy.pan({ x: cy.width() / 2 - first.position("x") * 0.6, y: 30 - first.position("y") * 0.6 });
    }
    cy.nodes().forEach((node) => {
      node.data("healthColor", healthColor((node.data() as NodeData).health_state));
    });
    cy.on("tap", "node", (event) => setSelected(event.target.data() as NodeData));
    cy.on("tap", (event) => {
      if (event.target === cy) setSelected(null);
    });
    cyRef.current = cy;
    (window as unknown as { __healthtuneCy?: Core }).__healthtuneCy = cy; // for the end-to-end tests
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, [data, nodes]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    if (byHealth) cy.nodes().addClass("health");
    else cy.nodes().removeClass("health");
  }, [byHealth]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.nodes().unselect();
    if (selected) cy.getElementById(selected.id).select();
  }, [selected]);

  const animate = () => {
    const cy = cyRef.current;
    if (!cy || animating) return;
    setAnimating(true);
    const order = nodes.map((n) => n.data.id);
    const reduced = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    const step = reduced ? 60 : 350;
    order.forEach((id, i) => {
      setTimeout(() => {
        cy.elements().removeClass("pulse");
        const node = cy.getElementById(id);
        node.addClass("pulse");
        node.incomers("edge").addClass("pulse");
        if (i === order.length - 1) {
          setTimeout(() => {
            cy.elements().removeClass("pulse");
            setAnimating(false);
          }, step);
        }
      }, i * step);
    });
  };

  const legend = data.cytoscape.legend;
  return (
    <div>
      <div className="row" style={{ marginBottom: "0.5rem" }}>
        <label className="checkbox small">
          <input type="checkbox" checked={byHealth} onChange={(e) => setByHealth(e.target.checked)} data-testid="color-by-health" />
          Colour by health
        </label>
        <button type="button" onClick={animate} disabled={animating}>
          ▶ Forward pass
        </button>
        <span className="spacer" />
        <button type="button" onClick={() => cyRef.current && download(cyRef.current.png({ full: true, scale: 2, output: "blob", bg: "#ffffff" }) as unknown as Blob, `${name}_architecture.png`)}>
          PNG
        </button>
        <button type="button" onClick={() => cyRef.current && download(new Blob([toSvg(cyRef.current, byHealth)], { type: "image/svg+xml" }), `${name}_architecture.svg`)}>
          SVG
        </button>
        <button type="button" onClick={() => download(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), `${name}_architecture.json`)}>
          JSON
        </button>
      </div>
      <div className="row small" style={{ marginBottom: "0.5rem" }}>
        <label htmlFor="layer-pick">Layer details</label>
        <select id="layer-pick" style={{ width: "auto", maxWidth: "100%" }} value={selected?.id ?? ""} onChange={(e) => setSelected(nodes.find((n) => n.data.id === e.target.value)?.data ?? null)}>
          <option value="">choose a layer (or click a node)</option>
          {nodes.map((n) => (
            <option key={n.data.id} value={n.data.id}>
              {n.data.id} ({n.data.type})
            </option>
          ))}
        </select>
      </div>
      <div className="viz" data-testid="cytoscape" style={{ height: `clamp(420px, ${Math.max(...nodes.map((n) => n.data.level ?? 0)) * 36 + 80}px, 820px)` }}>
        <div ref={container} style={{ position: "absolute", inset: 0 }} role="img" aria-label={`Architecture graph: ${nodes.length} layers from input to output. Use the layer list above for details.`} />
        {selected && (
          <div className="viz-side" data-testid="node-details" aria-live="polite">
            <div className="row" style={{ justifyContent: "space-between" }}>
              <strong>{selected.id}</strong>
              <button type="button" className="ghost icon" aria-label="Close details" onClick={() => setSelected(null)}>
                ×
              </button>
            </div>
            <dl className="kv">
              <dt>type</dt>
              <dd>{selected.type}</dd>
              <dt>output shape</dt>
              <dd>{shapeText(selected.output_shape)}</dd>
              <dt>parameters</dt>
              <dd>{selected.params.toLocaleString()}</dd>
              {selected.activation && (<><dt>activation</dt><dd>{selected.activation}</dd></>)}
              {selected.units != null && (<><dt>units</dt><dd>{selected.units}</dd></>)}
              {selected.filters != null && (<><dt>filters</dt><dd>{selected.filters}</dd></>)}
              {selected.kernel_size && (<><dt>kernel</dt><dd>{selected.kernel_size.join("×")}</dd></>)}
              <dt>dormant units</dt>
              <dd>{pct(selected.dormant_share)}{selected.dead_units ? ` (${selected.dead_units} dead)` : ""}</dd>
              {selected.saturated_share != null && (<><dt>saturated outputs</dt><dd>{pct(selected.saturated_share)}</dd></>)}
              <dt>gradient norm</dt>
              <dd>{num(selected.grad_norm, 4)}</dd>
              <dt>update ratio</dt>
              <dd>{num(selected.update_ratio, 6)}</dd>
              <dt>gradients</dt>
              <dd>{selected.gradient_state ?? "–"}</dd>
              <dt>health</dt>
              <dd>
                <span className={`badge ${selected.health_state ?? ""}`}>{selected.health_state ?? "not measured"}</span>
              </dd>
            </dl>
            <p className="small muted" style={{ margin: "0.4rem 0 0" }}>
              {legend.find((l) => l.type === selected.type)?.description}
            </p>
          </div>
        )}
      </div>
      <div className="legend" aria-label="Legend">
        {byHealth
          ? Object.entries(HEALTH_COLORS).map(([state, color]) => (
              <span key={state}>
                <span className="legend-swatch" style={{ background: color }} />
                {state === "none" ? "not measured" : state}
              </span>
            ))
          : legend.map((l) => (
              <span key={l.type} title={l.description}>
                <span className="legend-swatch" style={{ background: l.color }} />
                {l.type} <span className="muted">({human(l.category)})</span>
              </span>
            ))}
      </div>
    </div>
  );
}
