import { useId, useRef, type ReactNode } from "react";

export interface TabItem {
  id: string;
  label: string;
  content: () => ReactNode;
}

/** ARIA tabs: arrow keys move between tabs, only the selected panel is rendered. */
export function Tabs({ items, selected, onSelect, label }: { items: TabItem[]; selected: string; onSelect: (id: string) => void; label: string }) {
  const base = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const current = items.find((i) => i.id === selected) ?? items[0];
  const move = (delta: number) => {
    const index = items.findIndex((i) => i.id === current?.id);
    const next = items[(index + delta + items.length) % items.length];
    if (next) {
      onSelect(next.id);
      refs.current[next.id]?.focus();
    }
  };
  return (
    <div>
      <div className="tabs" role="tablist" aria-label={label}>
        {items.map((item) => (
          <button
            key={item.id}
            ref={(el) => {
              refs.current[item.id] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${item.id}`}
            aria-selected={item.id === current?.id}
            aria-controls={`${base}-panel-${item.id}`}
            tabIndex={item.id === current?.id ? 0 : -1}
            onClick={() => onSelect(item.id)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight") move(1);
              if (e.key === "ArrowLeft") move(-1);
            }}
          >
            {item.label}
          </button>
        ))}
      </div>
      {current && (
        <div role="tabpanel" id={`${base}-panel-${current.id}`} aria-labelledby={`${base}-tab-${current.id}`} tabIndex={0}>
          {current.content()}
        </div>
      )}
    </div>
  );
}
