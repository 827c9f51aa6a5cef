/** architecture.json (docs/architecture-json.md, schema_version 1). The API serves it untyped, so its shape is here. */

export interface LayerViz {
  layer_id: string;
  name: string;
  layer_type: string;
  category: string;
  inputs: string[];
  level: number;
  position_x: number;
  position_z: number;
  width: number;
  height: number;
  depth: number;
  output_shape: (number | null)[] | null;
  parameters: number;
  filters?: number | null;
  kernel_size?: number[] | null;
  units?: number | null;
  activation?: string | null;
  color_intensity: number;
  opacity: number;
  dormant_share?: number | null;
  dead_units?: number | null;
  dormancy_source?: string | null;
  saturated_share?: number | null;
  grad_norm?: number | null;
  update_ratio?: number | null;
  gradient_state?: string | null;
  health_state?: string | null;
}

export interface NodeData {
  id: string;
  label: string;
  type: string;
  category: string;
  output_shape: (number | null)[] | null;
  params: number;
  activation?: string | null;
  units?: number | null;
  filters?: number | null;
  kernel_size?: number[] | null;
  level: number;
  color: string;
  shape: string;
  dormant_share?: number | null;
  dead_units?: number | null;
  saturated_share?: number | null;
  grad_norm?: number | null;
  update_ratio?: number | null;
  gradient_state?: string | null;
  health_state?: string | null;
}

export interface LegendEntry {
  type: string;
  category: string;
  color: string;
  shape: string;
  description: string;
}

export interface ArchitectureJson {
  schema_version: number;
  visualization: {
    model_name: string;
    architecture_type: string;
    total_parameters: number;
    model_depth: number;
    max_layer_width: number;
    max_layer_height: number;
    performance_score: number | null;
    health_score: number | null;
    performance_color: string;
    health_color: string;
    layers: LayerViz[];
  };
  cytoscape: {
    elements: {
      nodes: { data: NodeData }[];
      edges: { data: { id: string; source: string; target: string; tensor_shape?: string | null } }[];
    };
    legend: LegendEntry[];
  };
}

export const HEALTH_COLORS: Record<string, string> = {
  ok: "#16a34a",
  info: "#2563eb",
  warning: "#f59e0b",
  critical: "#dc2626",
  none: "#9e9e9e",
};

export function healthColor(state: string | null | undefined): string {
  return HEALTH_COLORS[state ?? "none"] ?? HEALTH_COLORS.none!;
}

export function shapeText(shape: (number | null)[] | null | undefined): string {
  if (!shape) return "–";
  return `(${shape.map((d) => (d == null ? "batch" : String(d))).join(", ")})`;
}
