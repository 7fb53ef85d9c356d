// Several processes' Prometheus text as one exposition, each sample labelled with where it
// came from (service="events"): how the services topology's /metrics shows every service's
// figures side by side. A metric family that several processes have (every service counts
// festlab_http_request_duration_seconds) keeps one HELP and one TYPE line, as the text format
// requires, followed by every process's samples.

export interface LabelledText {
  /** The label added to each of this text's samples, e.g. { service: "events" }. */
  labels: Record<string, string>;
  text: string;
}

interface Family {
  help: string;
  type?: string;
  samples: string[];
}

export function mergeLabelled(texts: LabelledText[]): string {
  const families = new Map<string, Family>();
  for (const { labels, text } of texts) {
    const added = Object.entries(labels)
      .map(([name, value]) => `${name}="${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`)
      .join(",");
    let family: Family | undefined;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const help = /^# HELP (\S+)/.exec(line);
      if (help !== null) {
        const name = help[1] as string;
        family = families.get(name) ?? { help: line, samples: [] };
        families.set(name, family);
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        if (family !== undefined) family.type ??= line;
        continue;
      }
      if (line.startsWith("#") || family === undefined) continue;
      family.samples.push(withLabels(line, added));
    }
  }
  return [...families.values()]
    .map((family) => [family.help, family.type ?? "", ...family.samples].filter(Boolean).join("\n"))
    .join("\n")
    .concat("\n");
}

/** `name{a="b"} 1` → `name{service="x",a="b"} 1`; `name 1` → `name{service="x"} 1`. */
function withLabels(sample: string, added: string): string {
  const brace = sample.indexOf("{");
  const space = sample.indexOf(" ");
  if (brace !== -1 && brace < space) {
    const empty = sample[brace + 1] === "}";
    return `${sample.slice(0, brace + 1)}${added}${empty ? "" : ","}${sample.slice(brace + 1)}`;
  }
  return `${sample.slice(0, space)}{${added}}${sample.slice(space)}`;
}
