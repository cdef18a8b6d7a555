/*
 * Renders a Helm chart the way `helm template` does, with the Go-template subset in goTemplate.ts:
 * values.yaml coalesced with the given overrides, the built-in objects (.Values, .Release, .Chart,
 * .Capabilities, .Template), every file under templates/ rendered (partials `_*.tpl` only define),
 * NOTES.txt separately. Used by the chart test; there is no helm binary on the build machines.
 */

import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { GoTemplateSet } from './goTemplate';

export type Values = Record<string, unknown>;

export interface RenderOptions {
  /** Value overrides, applied in order on top of the chart's values.yaml (like repeated `-f`). */
  values?: Values[];
  releaseName?: string;
  namespace?: string;
  /** Called with the coalesced values before rendering (Helm validates values.schema.json here). */
  validateValues?: (values: Values) => void;
}

export interface RenderedChart {
  /** Rendered text per template path (`<chart>/templates/...`), NOTES.txt excluded. */
  files: Map<string, string>;
  notes: string;
  /** Every non-empty YAML document of every file, parsed. */
  objects: Array<Record<string, any>>;
  values: Values;
}

function isPlainObject(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Helm's value coalescing: maps merge key by key, anything else is replaced, and a `null` override
 * deletes the key.
 */
export function coalesceValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k]))
      out[k] = coalesceValues(out[k] as Values, v);
    else out[k] = v;
  }
  return out;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out.sort();
}

export interface ChartMetadata {
  name: string;
  version: string;
  appVersion?: string;
  [key: string]: unknown;
}

export function loadChartMetadata(chartDir: string): ChartMetadata {
  return parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'));
}

export function loadChartValues(chartDir: string): Values {
  // Helm reads values through a JSON round trip: every number is a float64 (a JS number here).
  return JSON.parse(
    JSON.stringify(
      parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) ?? {},
    ),
  );
}

/** The top-level object templates see as `.`. Exported for the Go cross-check. */
export function buildRenderContext(
  chartDir: string,
  options: RenderOptions = {},
) {
  const meta = loadChartMetadata(chartDir);
  let values = loadChartValues(chartDir);
  for (const o of options.values ?? [])
    values = coalesceValues(values, JSON.parse(JSON.stringify(o)));
  options.validateValues?.(values);
  const chart: Values = {};
  // Helm exposes Chart.yaml fields with capitalised names (.Chart.Name, .Chart.AppVersion, ...).
  for (const [k, v] of Object.entries(meta))
    chart[k.charAt(0).toUpperCase() + k.slice(1)] = v;
  return {
    Values: values,
    Release: {
      Name: options.releaseName ?? 'openbao-backup',
      Namespace: options.namespace ?? 'openbao-backup',
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1,
    },
    Chart: chart,
    Capabilities: {
      KubeVersion: { Version: 'v1.30.0', Major: '1', Minor: '30' },
    },
  };
}

export function renderChart(
  chartDir: string,
  options: RenderOptions = {},
): RenderedChart {
  const meta = loadChartMetadata(chartDir);
  const ctx = buildRenderContext(chartDir, options);
  const templatesDir = path.join(chartDir, 'templates');
  const set = new GoTemplateSet();
  const names: string[] = [];
  for (const file of listFiles(templatesDir)) {
    const rel = path.relative(templatesDir, file).split(path.sep).join('/');
    const name = `${meta.name}/templates/${rel}`;
    set.add(name, fs.readFileSync(file, 'utf8'));
    names.push(name);
  }
  const files = new Map<string, string>();
  let notes = '';
  for (const name of names) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (base.startsWith('_')) continue;
    const data = {
      ...ctx,
      Template: { Name: name, BasePath: `${meta.name}/templates` },
    };
    const text = set.execute(name, data);
    if (base === 'NOTES.txt') notes = text;
    else files.set(name, text);
  }
  const objects: Array<Record<string, any>> = [];
  for (const [name, text] of files) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length)
        throw new Error(
          `${name}: YAML error: ${doc.errors[0].message}\n${text}`,
        );
      const obj = doc.toJS();
      if (obj === null || obj === undefined) continue;
      objects.push(obj);
    }
  }
  return { files, notes, objects, values: ctx.Values };
}
