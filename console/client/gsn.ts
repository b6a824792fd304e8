// The safety case drawn as a GSN diagram (GSN Community Standard v3 shapes): goals as rectangles, strategies as
// parallelograms, solutions as circles, contexts as rounded rectangles, assumptions and justifications as ovals marked
// A and J. SupportedBy links end in a filled arrowhead, InContextOf in a hollow one. dagre lays the graph out top down.
import { Graph, layout } from "@dagrejs/dagre";

export interface GsnNode {
  id: string;
  type: "Goal" | "Strategy" | "Solution" | "Context" | "Assumption" | "Justification";
  statement: string;
  status?: string;
}
export interface GsnLink {
  type: "SupportedBy" | "InContextOf";
  from: string;
  to: string;
}

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 220;
const LINE_CHARS = 34;

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

function wrap(text: string, maxLines: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && (line + " " + word).length > LINE_CHARS) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length > maxLines ? [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1] ?? ""}…`] : lines;
}

function shape(node: GsnNode, w: number, hgt: number): SVGElement {
  const x = -w / 2;
  const y = -hgt / 2;
  switch (node.type) {
    case "Goal":
      return svg("rect", { x, y, width: w, height: hgt });
    case "Strategy":
      return svg("polygon", { points: `${x + 14},${y} ${x + w},${y} ${x + w - 14},${y + hgt} ${x},${y + hgt}` });
    case "Solution":
      return svg("circle", { r: Math.max(w, hgt) / 2 });
    case "Context":
      return svg("rect", { x, y, width: w, height: hgt, rx: hgt / 2 });
    default:
      return svg("ellipse", { rx: w / 2, ry: hgt / 2 });
  }
}

/** Lays the case out and returns the SVG; each node is a <g> with data-gsn-type, data-gsn-id and a <title>. */
export function gsnDiagram(nodes: GsnNode[], links: GsnLink[]): SVGSVGElement {
  const graph = new Graph();
  graph.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 56, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  const texts = new Map<string, string[]>();
  for (const node of nodes) {
    const lines = wrap(`${node.id}: ${node.statement}`, node.type === "Solution" ? 4 : 5);
    texts.set(node.id, lines);
    const height = 20 + lines.length * 15;
    const size = node.type === "Solution" ? Math.max(120, height + 40) : 0;
    graph.setNode(node.id, { width: size || WIDTH, height: size || height });
  }
  for (const link of links) graph.setEdge(link.from, link.to, { type: link.type });
  layout(graph);

  const { width = 0, height = 0 } = graph.graph();
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "gsn" }) as SVGSVGElement;
  root.setAttribute("aria-label", `GSN safety case: ${nodes.length} nodes, ${links.length} links`);
  const defs = svg("defs", {});
  for (const [id, fill] of [
    ["supported-by", "currentColor"],
    ["in-context-of", "white"],
  ] as const) {
    const marker = svg("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto" });
    marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill, stroke: "currentColor" }));
    defs.appendChild(marker);
  }
  root.appendChild(defs);
  const view = svg("g", { class: "view" });
  root.appendChild(view);
  for (const link of links) {
    const points: { x: number; y: number }[] = graph.edge(link.from, link.to)?.points ?? [];
    const d = points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    const marker = link.type === "SupportedBy" ? "supported-by" : "in-context-of";
    view.appendChild(svg("path", { d, class: `link ${marker}`, "marker-end": `url(#${marker})` }));
  }
  for (const node of nodes) {
    const box = graph.node(node.id);
    const g = svg("g", {
      class: `node ${node.type.toLowerCase()} ${node.status ?? ""}`.trim(),
      transform: `translate(${box.x},${box.y})`,
      "data-gsn-type": node.type,
      "data-gsn-id": node.id,
    });
    const title = svg("title", {});
    title.textContent = `${node.type} ${node.id}: ${node.statement}${node.status ? ` (${node.status})` : ""}`;
    g.appendChild(title);
    g.appendChild(shape(node, box.width, box.height));
    if (node.type === "Assumption" || node.type === "Justification") {
      const mark = svg("text", { x: box.width / 2 - 6, y: box.height / 2, class: "mark" });
      mark.textContent = node.type[0] ?? "";
      g.appendChild(mark);
    }
    const lines = texts.get(node.id) ?? [];
    lines.forEach((line, i) => {
      const text = svg("text", { x: 0, y: (i - (lines.length - 1) / 2) * 15 + 4, "text-anchor": "middle" });
      text.textContent = line;
      g.appendChild(text);
    });
    view.appendChild(g);
  }
  zoomAndPan(root, width, height);
  return root;
}

/** Wheel zooms about the pointer, dragging pans, a double click resets: all by moving the viewBox. */
function zoomAndPan(root: SVGSVGElement, width: number, height: number): void {
  let box = { x: 0, y: 0, w: width, h: height };
  const apply = () => root.setAttribute("viewBox", `${box.x} ${box.y} ${box.w} ${box.h}`);
  root.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const rect = root.getBoundingClientRect();
      const fx = (event.clientX - rect.left) / rect.width;
      const fy = (event.clientY - rect.top) / rect.height;
      const scale = event.deltaY > 0 ? 1.15 : 1 / 1.15;
      const w = Math.min(width * 4, Math.max(width / 10, box.w * scale));
      const h = (w / box.w) * box.h;
      box = { x: box.x + (box.w - w) * fx, y: box.y + (box.h - h) * fy, w, h };
      apply();
    },
    { passive: false },
  );
  let drag: { x: number; y: number } | null = null;
  root.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY };
    root.setPointerCapture(event.pointerId);
  });
  root.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const rect = root.getBoundingClientRect();
    box.x -= ((event.clientX - drag.x) / rect.width) * box.w;
    box.y -= ((event.clientY - drag.y) / rect.height) * box.h;
    drag = { x: event.clientX, y: event.clientY };
    apply();
  });
  root.addEventListener("pointerup", () => (drag = null));
  root.addEventListener("dblclick", () => {
    box = { x: 0, y: 0, w: width, h: height };
    apply();
  });
}
