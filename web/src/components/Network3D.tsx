import { useEffect, useRef, useState } from "react";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { healthColor, shapeText, type ArchitectureJson, type LayerViz } from "../lib/architecture";
import { num, pct } from "../lib/format";

type ColorMode = "performance" | "health";

function webglAvailable(): boolean {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") ?? canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

function layerColor(layer: LayerViz, mode: ColorMode, performanceColor: string): THREE.Color {
  if (mode === "health") return new THREE.Color(healthColor(layer.health_state));
  // performance: the model's performance colour, lighter for layers with little capacity
  const base = new THREE.Color(performanceColor);
  const hsl = { h: 0, s: 0, l: 0 };
  base.getHSL(hsl);
  return new THREE.Color().setHSL(hsl.h, hsl.s, Math.min(0.85, hsl.l + (1 - layer.color_intensity) * 0.35));
}

/** three.js view: one box per layer sized by width/height/depth, along z; orbit, zoom, hover for details. */
export default function Network3D({ data }: { data: ArchitectureJson }) {
  const mount = useRef<HTMLDivElement>(null);
  const [mode, setMode] = useState<ColorMode>("performance");
  const [hovered, setHovered] = useState<LayerViz | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const modeRef = useRef<(mode: ColorMode) => void>(() => undefined);

  useEffect(() => {
    const element = mount.current;
    if (!element) return;
    if (!webglAvailable()) {
      setFailed("This browser has no WebGL, so the 3D view cannot be drawn. The architecture graph shows the same layers.");
      return;
    }
    const viz = data.visualization;
    const width = element.clientWidth || 600;
    const height = element.clientHeight || 420;
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true, alpha: true });
    } catch (error) {
      setFailed(`The 3D view could not start WebGL: ${String(error)}`);
      return;
    }
    renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    renderer.setSize(width, height);
    renderer.domElement.setAttribute("data-testid", "three-canvas");
    renderer.domElement.setAttribute("role", "img");
    renderer.domElement.setAttribute("aria-label", `3D view of ${viz.layers.length} layers; drag to orbit, scroll to zoom`);
    element.appendChild(renderer.domElement);

    const scene = new THREE.Scene();
    scene.add(new THREE.AmbientLight(0xffffff, 0.75));
    const light = new THREE.DirectionalLight(0xffffff, 1.2);
    light.position.set(10, 20, 10);
    scene.add(light);

    const maxZ = Math.max(1, ...viz.layers.map((l) => l.position_z + l.depth / 2));
    const span = Math.max(maxZ, viz.max_layer_width, viz.max_layer_height);
    const camera = new THREE.PerspectiveCamera(45, width / height, 0.1, span * 20);
    camera.position.set(span * 0.9, span * 0.6, maxZ / 2 + span * 0.4);
    const controls = new OrbitControls(camera, renderer.domElement);
    controls.target.set(0, viz.max_layer_height / 4, maxZ / 2);
    controls.update();

    const meshes: THREE.Mesh[] = [];
    const group = new THREE.Group();
    for (const layer of viz.layers) {
      const geometry = new THREE.BoxGeometry(layer.width, layer.height, layer.depth);
      const material = new THREE.MeshStandardMaterial({
        color: layerColor(layer, "performance", viz.performance_color),
        transparent: true,
        opacity: layer.opacity,
        roughness: 0.6,
      });
      const mesh = new THREE.Mesh(geometry, material);
      mesh.position.set(layer.position_x, layer.height / 2, layer.position_z);
      mesh.userData.layer = layer;
      const edges = new THREE.LineSegments(new THREE.EdgesGeometry(geometry), new THREE.LineBasicMaterial({ color: 0x334155, transparent: true, opacity: 0.5 }));
      mesh.add(edges);
      group.add(mesh);
      meshes.push(mesh);
    }
    scene.add(group);
    const grid = new THREE.GridHelper(span * 2, 20, 0x94a3b8, 0xcbd5e1);
    grid.position.set(0, 0, maxZ / 2);
    (grid.material as THREE.Material).opacity = 0.35;
    (grid.material as THREE.Material).transparent = true;
    scene.add(grid);

    let frame = 0;
    const render = () => {
      frame = 0;
      renderer.render(scene, camera);
    };
    const request = () => {
      if (!frame) frame = requestAnimationFrame(render);
    };
    controls.addEventListener("change", request);

    const raycaster = new THREE.Raycaster();
    const pointer = new THREE.Vector2();
    let highlighted: THREE.Mesh | null = null;
    const onMove = (event: PointerEvent) => {
      const rect = renderer.domElement.getBoundingClientRect();
      pointer.set(((event.clientX - rect.left) / rect.width) * 2 - 1, -((event.clientY - rect.top) / rect.height) * 2 + 1);
      raycaster.setFromCamera(pointer, camera);
      const hit = raycaster.intersectObjects(meshes, false)[0]?.object as THREE.Mesh | undefined;
      if (hit === highlighted) return;
      if (highlighted) (highlighted.material as THREE.MeshStandardMaterial).emissive.setHex(0x000000);
      highlighted = hit ?? null;
      if (highlighted) (highlighted.material as THREE.MeshStandardMaterial).emissive.setHex(0x333333);
      setHovered(highlighted ? (highlighted.userData.layer as LayerViz) : null);
      request();
    };
    renderer.domElement.addEventListener("pointermove", onMove);

    modeRef.current = (next: ColorMode) => {
      for (const mesh of meshes) {
        (mesh.material as THREE.MeshStandardMaterial).color = layerColor(mesh.userData.layer as LayerViz, next, viz.performance_color);
      }
      request();
    };

    const resize = new ResizeObserver(() => {
      const w = element.clientWidth;
      const h = element.clientHeight;
      if (!w || !h) return;
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
      renderer.setSize(w, h);
      request();
    });
    resize.observe(element);
    render();

    return () => {
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      renderer.domElement.removeEventListener("pointermove", onMove);
      controls.dispose();
      for (const mesh of meshes) {
        mesh.geometry.dispose();
        (mesh.material as THREE.Material).dispose();
      }
      renderer.dispose();
      renderer.domElement.remove();
    };
  }, [data]);

  useEffect(() => modeRef.current(mode), [mode]);

  if (failed) return <div className="notice">{failed}</div>;
  const viz = data.visualization;
  return (
    <div>
      <div className="row" style={{ marginBottom: "0.5rem" }} role="radiogroup" aria-label="Colour the layers by">
        <span className="small">Colour by</span>
        {(["performance", "health"] as const).map((m) => (
          <label key={m} className="checkbox small">
            <input type="radio" name="color-3d" checked={mode === m} onChange={() => setMode(m)} />
            {m}
          </label>
        ))}
        <span className="muted small">
          {viz.architecture_type} · {viz.total_parameters.toLocaleString()} parameters · accuracy {pct(viz.performance_score)} · health {num(viz.health_score, 2)}
        </span>
      </div>
      <div className="viz" ref={mount} data-testid="three-view">
        {hovered && (
          <div className="viz-side" aria-live="polite" style={{ pointerEvents: "none" }}>
            <strong>{hovered.name}</strong> <span className="muted">{hovered.layer_type}</span>
            <dl className="kv">
              <dt>output</dt>
              <dd>{shapeText(hovered.output_shape)}</dd>
              <dt>parameters</dt>
              <dd>{hovered.parameters.toLocaleString()}</dd>
              <dt>dormant</dt>
              <dd>{pct(hovered.dormant_share)}</dd>
              {hovered.saturated_share != null && (<><dt>saturated</dt><dd>{pct(hovered.saturated_share)}</dd></>)}
              <dt>gradient</dt>
              <dd>{hovered.gradient_state ?? "–"}</dd>
              <dt>health</dt>
              <dd>{hovered.health_state ?? "–"}</dd>
            </dl>
          </div>
        )}
      </div>
      <p className="muted small">
        Each box is a layer: its face shows the feature-map size (or units), its depth the channels; data flows along the
        long axis. Drag to orbit, scroll or pinch to zoom, hover a box for details.
      </p>
    </div>
  );
}
