/*
 * A small implementation of Go's text/template, with the Sprig/Helm functions the openbao-backup
 * chart uses, so the chart can be rendered and checked where no `helm` binary exists.
 *
 * Semantics follow Go's text/template as Helm configures it (option missingkey=zero, "<no value>"
 * printed as ""): trim markers `{{-`/`-}}`, comments, pipelines with parenthesised sub-pipelines,
 * variables (`$`, `$x :=`, `$x =`), fields on maps, `if`/`else if`/`else`, `range` (arrays and maps in
 * key order, with `$i, $v :=`), `with`, `define`, `template`, and Go's truth rules. Anything outside
 * that subset throws, so a template that would need more cannot silently render differently.
 * When the Go toolchain and Debian's sprig are installed, the chart test also renders the chart with
 * the real text/template + sprig (helm-render/main.go) and compares the two outputs.
 */

import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

/** Raised for parse and execution errors, with the template name. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

// ---------------------------------------------------------------------------------------------
// Lexing and parsing

type Arg =
  | { kind: 'dot' }
  | {
      kind: 'field';
      receiver: 'dot' | { variable: string } | { pipe: Pipeline };
      path: string[];
    }
  | { kind: 'variable'; name: string }
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'pipe'; pipe: Pipeline };

interface Command {
  args: Arg[];
}

interface Pipeline {
  decl: string[];
  assign: boolean;
  commands: Command[];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if'; pipe: Pipeline; list: Node[]; elseList?: Node[] }
  | { kind: 'range'; pipe: Pipeline; list: Node[]; elseList?: Node[] }
  | { kind: 'with'; pipe: Pipeline; list: Node[]; elseList?: Node[] }
  | { kind: 'template'; name: string; pipe?: Pipeline };

type Token =
  | { t: 'text'; text: string }
  | { t: 'action'; body: string; trimLeft: boolean; trimRight: boolean };

function lex(name: string, src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      tokens.push({ t: 'text', text: src.slice(i) });
      break;
    }
    tokens.push({ t: 'text', text: src.slice(i, open) });
    let j = open + 2;
    let trimLeft = false;
    if (src[j] === '-' && /[ \t\r\n]/.test(src[j + 1] ?? '')) {
      trimLeft = true;
      j += 2;
    }
    // Find the closing delimiter outside string literals and comments.
    let k = j;
    let close = -1;
    while (k < src.length) {
      const c = src[k];
      if (src.startsWith('/*', k)) {
        const end = src.indexOf('*/', k + 2);
        if (end < 0) throw new TemplateError(`${name}: unclosed comment`);
        k = end + 2;
        continue;
      }
      if (c === '"') {
        k++;
        while (k < src.length && src[k] !== '"') k += src[k] === '\\' ? 2 : 1;
        k++;
        continue;
      }
      if (c === '`') {
        k = src.indexOf('`', k + 1) + 1;
        if (k === 0) throw new TemplateError(`${name}: unclosed raw string`);
        continue;
      }
      if (src.startsWith('}}', k)) {
        close = k;
        break;
      }
      k++;
    }
    if (close < 0) throw new TemplateError(`${name}: unclosed action`);
    let bodyEnd = close;
    let trimRight = false;
    if (src[close - 1] === '-' && /[ \t\r\n]/.test(src[close - 2] ?? '')) {
      trimRight = true;
      bodyEnd = close - 2;
    }
    tokens.push({
      t: 'action',
      body: src.slice(j, bodyEnd),
      trimLeft,
      trimRight,
    });
    i = close + 2;
  }
  // Apply trim markers to the neighbouring text.
  for (let n = 0; n < tokens.length; n++) {
    const tok = tokens[n];
    if (tok.t !== 'action') continue;
    const prev = tokens[n - 1];
    const next = tokens[n + 1];
    if (tok.trimLeft && prev?.t === 'text')
      prev.text = prev.text.replace(/[ \t\r\n]+$/, '');
    if (tok.trimRight && next?.t === 'text')
      next.text = next.text.replace(/^[ \t\r\n]+/, '');
  }
  return tokens;
}

type Lexeme =
  | { t: 'field'; path: string[] }
  | { t: 'dot' }
  | { t: 'var'; name: string; path: string[] }
  | { t: 'ident'; name: string }
  | { t: 'string'; value: string }
  | { t: 'number'; value: number }
  | { t: '(' }
  | { t: ')'; path: string[] }
  | { t: '|' }
  | { t: ':=' }
  | { t: '=' }
  | { t: ',' };

const GO_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '0': '\0',
};

function lexAction(name: string, body: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  const readPath = (): string[] => {
    const path: string[] = [];
    while (body[i] === '.' && /[A-Za-z_]/.test(body[i + 1] ?? '')) {
      i++;
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i))!;
      path.push(m[0]);
      i += m[0].length;
    }
    return path;
  };
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      out.push({ t: '(' });
      i++;
    } else if (c === ')') {
      i++;
      out.push({ t: ')', path: readPath() });
    } else if (c === '|') {
      out.push({ t: '|' });
      i++;
    } else if (c === ',') {
      out.push({ t: ',' });
      i++;
    } else if (body.startsWith(':=', i)) {
      out.push({ t: ':=' });
      i += 2;
    } else if (c === '=') {
      out.push({ t: '=' });
      i++;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') {
          const e = body[i + 1];
          if (!(e in GO_ESCAPES))
            throw new TemplateError(`${name}: unsupported escape \\${e}`);
          s += GO_ESCAPES[e];
          i += 2;
        } else {
          s += body[i++];
        }
      }
      i++;
      out.push({ t: 'string', value: s });
    } else if (c === '`') {
      const end = body.indexOf('`', i + 1);
      out.push({ t: 'string', value: body.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '.') {
      if (/[A-Za-z_]/.test(body[i + 1] ?? ''))
        out.push({ t: 'field', path: readPath() });
      else {
        out.push({ t: 'dot' });
        i++;
      }
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(body.slice(i))!;
      i += m[0].length;
      out.push({ t: 'var', name: m[0], path: readPath() });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(body.slice(i));
      if (!m) throw new TemplateError(`${name}: bad number in "${body}"`);
      out.push({ t: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i))!;
      out.push({ t: 'ident', name: m[0] });
      i += m[0].length;
    } else {
      throw new TemplateError(`${name}: unexpected "${c}" in action "${body}"`);
    }
  }
  return out;
}

class PipelineParser {
  private pos = 0;
  constructor(private readonly name: string, private readonly lx: Lexeme[]) {}

  static parse(name: string, body: string): Pipeline {
    const p = new PipelineParser(name, lexAction(name, body));
    const pipe = p.pipeline();
    if (p.pos !== p.lx.length)
      throw new TemplateError(`${name}: unexpected token in "${body}"`);
    return pipe;
  }

  private pipeline(): Pipeline {
    const decl: string[] = [];
    let assign = false;
    // Variable declarations: `$x :=`, `$i, $v :=`, `$x =`.
    const save = this.pos;
    const vars: string[] = [];
    while (this.lx[this.pos]?.t === 'var') {
      const v = this.lx[this.pos] as { t: 'var'; name: string; path: string[] };
      if (v.path.length) break;
      vars.push(v.name);
      this.pos++;
      if (this.lx[this.pos]?.t === ',') {
        this.pos++;
        continue;
      }
      break;
    }
    const op = this.lx[this.pos]?.t;
    if (vars.length && (op === ':=' || op === '=')) {
      decl.push(...vars);
      assign = op === '=';
      this.pos++;
    } else {
      this.pos = save;
    }
    const commands: Command[] = [];
    for (;;) {
      const args: Arg[] = [];
      while (this.pos < this.lx.length) {
        const t = this.lx[this.pos].t;
        if (t === '|' || t === ')') break;
        args.push(this.operand());
      }
      if (!args.length)
        throw new TemplateError(`${this.name}: missing command in pipeline`);
      commands.push({ args });
      if (this.lx[this.pos]?.t === '|') {
        this.pos++;
        continue;
      }
      break;
    }
    return { decl, assign, commands };
  }

  private operand(): Arg {
    const tok = this.lx[this.pos++];
    switch (tok.t) {
      case 'dot':
        return { kind: 'dot' };
      case 'field':
        return { kind: 'field', receiver: 'dot', path: tok.path };
      case 'var':
        return tok.path.length
          ? { kind: 'field', receiver: { variable: tok.name }, path: tok.path }
          : { kind: 'variable', name: tok.name };
      case 'string':
        return { kind: 'string', value: tok.value };
      case 'number':
        return { kind: 'number', value: tok.value };
      case 'ident':
        if (tok.name === 'true' || tok.name === 'false')
          return { kind: 'bool', value: tok.name === 'true' };
        if (tok.name === 'nil') return { kind: 'nil' };
        return { kind: 'identifier', name: tok.name };
      case '(': {
        const pipe = this.pipeline();
        const close = this.lx[this.pos++];
        if (close?.t !== ')')
          throw new TemplateError(`${this.name}: unclosed parenthesis`);
        return close.path.length
          ? { kind: 'field', receiver: { pipe }, path: close.path }
          : { kind: 'pipe', pipe };
      }
      default:
        throw new TemplateError(`${this.name}: unexpected "${tok.t}"`);
    }
  }
}

interface Frame {
  kind: 'if' | 'range' | 'with' | 'define' | 'root';
  node?: Extract<Node, { kind: 'if' | 'range' | 'with' }>;
  list: Node[];
  inElse: boolean;
  /** `else if` chains close with the outer `end`. */
  chained: number;
  defineName?: string;
}

/** Parses one file into its top-level nodes and the templates it defines. */
function parseFile(
  name: string,
  src: string,
): { root: Node[]; defines: Map<string, Node[]> } {
  const defines = new Map<string, Node[]>();
  const root: Node[] = [];
  const stack: Frame[] = [
    { kind: 'root', list: root, inElse: false, chained: 0 },
  ];
  const top = () => stack[stack.length - 1];
  const cur = () => {
    const f = top();
    return f.inElse ? f.node!.elseList! : f.list;
  };
  for (const tok of lex(name, src)) {
    if (tok.t === 'text') {
      if (tok.text) cur().push({ kind: 'text', text: tok.text });
      continue;
    }
    const body = tok.body.trim();
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/'))
        throw new TemplateError(`${name}: comment must be the whole action`);
      continue;
    }
    const m =
      /^(if|range|with|else|end|define|template|block|break|continue)\b\s*([\s\S]*)$/.exec(
        body,
      );
    const keyword = m?.[1];
    const rest = m?.[2] ?? '';
    if (!keyword) {
      cur().push({ kind: 'action', pipe: PipelineParser.parse(name, body) });
    } else if (keyword === 'if' || keyword === 'range' || keyword === 'with') {
      const node = {
        kind: keyword,
        pipe: PipelineParser.parse(name, rest),
        list: [] as Node[],
      } as Frame['node'] & {};
      cur().push(node);
      stack.push({
        kind: keyword,
        node,
        list: node.list,
        inElse: false,
        chained: 0,
      });
    } else if (keyword === 'else') {
      const f = top();
      if (!f.node || f.inElse)
        throw new TemplateError(`${name}: unexpected else`);
      f.node.elseList = [];
      f.inElse = true;
      const chain = /^if\b\s*([\s\S]*)$/.exec(rest);
      if (chain) {
        if (f.kind !== 'if')
          throw new TemplateError(`${name}: "else if" outside if`);
        const node = {
          kind: 'if' as const,
          pipe: PipelineParser.parse(name, chain[1]),
          list: [] as Node[],
        };
        f.node.elseList.push(node);
        stack.push({
          kind: 'if',
          node,
          list: node.list,
          inElse: false,
          chained: f.chained + 1,
        });
        stack.splice(stack.length - 2, 1);
      } else if (rest) {
        throw new TemplateError(`${name}: unsupported "else ${rest}"`);
      }
    } else if (keyword === 'end') {
      const f = stack.pop()!;
      if (f.kind === 'root') throw new TemplateError(`${name}: unexpected end`);
      if (f.kind === 'define') defines.set(f.defineName!, f.list);
    } else if (keyword === 'define') {
      if (stack.length !== 1)
        throw new TemplateError(`${name}: define must be at top level`);
      const dm = /^"([^"]+)"$/.exec(rest.trim());
      if (!dm) throw new TemplateError(`${name}: bad define "${rest}"`);
      stack.push({
        kind: 'define',
        list: [],
        inElse: false,
        chained: 0,
        defineName: dm[1],
      });
    } else if (keyword === 'template') {
      const tm = /^"([^"]+)"\s*([\s\S]*)$/.exec(rest.trim());
      if (!tm)
        throw new TemplateError(`${name}: bad template action "${rest}"`);
      cur().push({
        kind: 'template',
        name: tm[1],
        pipe: tm[2] ? PipelineParser.parse(name, tm[2]) : undefined,
      });
    } else {
      throw new TemplateError(
        `${name}: "${keyword}" is outside the supported subset`,
      );
    }
  }
  if (stack.length !== 1)
    throw new TemplateError(`${name}: unexpected EOF (missing end)`);
  return { root, defines };
}

// ---------------------------------------------------------------------------------------------
// Values and printing

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Go's `%v` of a float64 (numbers from YAML values are float64 after Helm's JSON round trip). */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return '0';
  // fmt's %v is strconv 'g' with the shortest digits, which switches to the exponent form when
  // the exponent is < -4 or >= 6: fmt.Sprint(5242880.0) == "5.24288e+06" (Helm's well-known
  // large-number gotcha; print large numbers through toYaml or int instead).
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = n.toExponential().split('e');
    const ev = Number(e);
    return `${mant}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(
      2,
      '0',
    )}`;
  }
  return String(n);
}

function printValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys
      .map(k => `${k}:${printValue((v as Record<string, unknown>)[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** Helm's toYaml: sigs.k8s.io/yaml (JSON round trip, sorted keys, yaml.v2 style), trailing newline cut. */
export function toYaml(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  return stringify(JSON.parse(JSON.stringify(v)), {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    version: '1.1',
  }).replace(/\n$/, '');
}

function goQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(
    /%([-+# 0]*)(\d*)([svdq%])/g,
    (all, _flags, _width, verb: string) => {
      if (verb === '%') return '%';
      const a = args[n++];
      switch (verb) {
        case 's':
        case 'v':
          return printValue(a);
        case 'd':
          if (typeof a !== 'number' || !Number.isInteger(a))
            throw new TemplateError(`printf %d of ${printValue(a)}`);
          return String(a);
        case 'q':
          return goQuote(printValue(a));
        default:
          throw new TemplateError(`printf verb ${all} unsupported`);
      }
    },
  );
}

function isEmpty(v: unknown): boolean {
  return !truth(v);
}

// ---------------------------------------------------------------------------------------------
// Execution

type Fn = (...args: unknown[]) => unknown;

interface Scope {
  vars: Array<[string, unknown]>;
}

/** A set of parsed templates sharing one namespace of `define`d names, as Helm builds it. */
export class GoTemplateSet {
  private readonly files = new Map<string, Node[]>();
  private readonly defines = new Map<string, Node[]>();
  private readonly funcs: Record<string, Fn>;
  private includeDepth = 0;

  constructor() {
    this.funcs = {
      default: (d, ...given) =>
        given.length && !isEmpty(given[0]) ? given[0] : d,
      trunc: (c, s) => {
        const str = String(s);
        const n = c as number;
        if (n < 0 && str.length + n > 0) return str.slice(str.length + n);
        if (n >= 0 && str.length > n) return str.slice(0, n);
        return str;
      },
      trimSuffix: (suffix, s) => {
        const str = printValue(s);
        const suf = String(suffix);
        return suf && str.endsWith(suf)
          ? str.slice(0, str.length - suf.length)
          : str;
      },
      trimPrefix: (prefix, s) => {
        const str = printValue(s);
        const pre = String(prefix);
        return pre && str.startsWith(pre) ? str.slice(pre.length) : str;
      },
      contains: (substr, s) => printValue(s).includes(printValue(substr)),
      replace: (old, neu, s) =>
        printValue(s).split(printValue(old)).join(printValue(neu)),
      quote: (...xs) =>
        xs
          .filter(x => x !== null && x !== undefined)
          .map(x => goQuote(printValue(x)))
          .join(' '),
      printf: (format, ...xs) => sprintf(String(format), xs),
      print: (...xs) => {
        // fmt.Sprint: a space between operands when neither side is a string.
        let out = '';
        xs.forEach((x, i) => {
          if (i > 0 && typeof x !== 'string' && typeof xs[i - 1] !== 'string')
            out += ' ';
          out += printValue(x);
        });
        return out;
      },
      toYaml: v => toYaml(v),
      indent: (n, s) => {
        const pad = ' '.repeat(n as number);
        return pad + printValue(s).replace(/\n/g, `\n${pad}`);
      },
      nindent: (n, s) => {
        const pad = ' '.repeat(n as number);
        return `\n${pad}${printValue(s).replace(/\n/g, `\n${pad}`)}`;
      },
      required: (msg, v) => {
        if (v === null || v === undefined || v === '')
          throw new TemplateError(String(msg));
        return v;
      },
      sha256sum: s => createHash('sha256').update(printValue(s)).digest('hex'),
      join: (sep, list) => {
        if (!Array.isArray(list)) return printValue(list);
        return list.map(printValue).join(String(sep));
      },
      not: v => !truth(v),
      eq: (a, ...bs) => {
        for (const b of bs) {
          if (typeof a === 'number' || typeof b === 'number') {
            throw new TemplateError(
              'eq on numbers: Go compares int and float64 as incompatible; avoid it',
            );
          }
          if ((a ?? null) === (b ?? null)) return true;
        }
        return false;
      },
      ne: (a, b) => {
        if (typeof a === 'number' || typeof b === 'number') {
          throw new TemplateError(
            'ne on numbers: Go compares int and float64 as incompatible; avoid it',
          );
        }
        return (a ?? null) !== (b ?? null);
      },
      empty: v => isEmpty(v),
    };
  }

  /** Adds a file; its `define`s join the shared namespace (a later file wins, as in Helm). */
  add(name: string, src: string): void {
    const { root, defines } = parseFile(name, src);
    this.files.set(name, root);
    for (const [k, v] of defines) this.defines.set(k, v);
  }

  /** Executes a file (or a defined template) with `data` as dot and `$`. */
  execute(name: string, data: unknown): string {
    const nodes = this.files.get(name) ?? this.defines.get(name);
    if (!nodes) throw new TemplateError(`no template "${name}"`);
    return this.run(name, nodes, data);
  }

  private run(name: string, nodes: Node[], data: unknown): string {
    const scope: Scope = { vars: [['$', data]] };
    try {
      return this.walk(nodes, data, scope);
    } catch (e) {
      if (e instanceof TemplateError && !e.message.startsWith('template: ')) {
        throw new TemplateError(`template: ${name}: ${e.message}`);
      }
      throw e;
    }
  }

  private walk(nodes: Node[], dot: unknown, scope: Scope): string {
    let out = '';
    for (const node of nodes) out += this.node(node, dot, scope);
    return out;
  }

  private block(nodes: Node[], dot: unknown, scope: Scope): string {
    const mark = scope.vars.length;
    try {
      return this.walk(nodes, dot, scope);
    } finally {
      scope.vars.length = mark;
    }
  }

  private node(node: Node, dot: unknown, scope: Scope): string {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'action': {
        const v = this.pipeline(node.pipe, dot, scope);
        return node.pipe.decl.length ? '' : printValue(v);
      }
      case 'if': {
        const mark = scope.vars.length;
        const v = this.pipeline(node.pipe, dot, scope);
        try {
          if (truth(v)) return this.block(node.list, dot, scope);
          return node.elseList ? this.block(node.elseList, dot, scope) : '';
        } finally {
          scope.vars.length = mark;
        }
      }
      case 'with': {
        const mark = scope.vars.length;
        const v = this.pipeline(node.pipe, dot, scope);
        try {
          if (truth(v)) return this.block(node.list, v, scope);
          return node.elseList ? this.block(node.elseList, dot, scope) : '';
        } finally {
          scope.vars.length = mark;
        }
      }
      case 'range': {
        const mark = scope.vars.length;
        const decl = node.pipe.decl;
        const v = this.pipeline({ ...node.pipe, decl: [] }, dot, scope);
        try {
          const entries: Array<[unknown, unknown]> = [];
          if (Array.isArray(v)) v.forEach((x, i) => entries.push([i, x]));
          else if (v && typeof v === 'object') {
            for (const k of Object.keys(v).sort())
              entries.push([k, (v as Record<string, unknown>)[k]]);
          } else if (v !== null && v !== undefined) {
            throw new TemplateError(
              `range can't iterate over ${printValue(v)}`,
            );
          }
          if (!entries.length)
            return node.elseList ? this.block(node.elseList, dot, scope) : '';
          let out = '';
          for (const [k, x] of entries) {
            const inner = scope.vars.length;
            if (decl.length === 1) scope.vars.push([decl[0], x]);
            if (decl.length === 2) scope.vars.push([decl[0], k], [decl[1], x]);
            out += this.block(node.list, x, scope);
            scope.vars.length = inner;
          }
          return out;
        } finally {
          scope.vars.length = mark;
        }
      }
      case 'template': {
        const data = node.pipe ? this.pipeline(node.pipe, dot, scope) : null;
        return this.include(node.name, data);
      }
      default:
        throw new TemplateError('unknown node');
    }
  }

  private include(name: string, data: unknown): string {
    const nodes = this.defines.get(name) ?? this.files.get(name);
    if (!nodes)
      throw new TemplateError(`no template "${name}" associated with template`);
    if (++this.includeDepth > 1000)
      throw new TemplateError(
        `rendering template has a nested reference name: ${name}`,
      );
    try {
      return this.run(name, nodes, data);
    } finally {
      this.includeDepth--;
    }
  }

  private pipeline(pipe: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: unknown = undefined;
    let first = true;
    for (const cmd of pipe.commands) {
      value = this.command(cmd, dot, scope, first ? undefined : { value });
      first = false;
    }
    if (pipe.decl.length) {
      if (pipe.decl.length > 1)
        throw new TemplateError('too many declarations in command');
      const name = pipe.decl[0];
      if (pipe.assign) {
        const slot = [...scope.vars].reverse().find(([n]) => n === name);
        if (!slot) throw new TemplateError(`undefined variable: ${name}`);
        slot[1] = value;
      } else {
        scope.vars.push([name, value]);
      }
    }
    return value;
  }

  private command(
    cmd: Command,
    dot: unknown,
    scope: Scope,
    piped?: { value: unknown },
  ): unknown {
    const [head, ...rest] = cmd.args;
    if (head.kind === 'identifier') {
      const name = head.name;
      if (name === 'and' || name === 'or') {
        // Short-circuit (Go 1.18+): the first falsy (and) / truthy (or) argument, else the last.
        const all = [
          ...rest.map(a => () => this.arg(a, dot, scope)),
          ...(piped ? [() => piped.value] : []),
        ];
        let v: unknown;
        for (const get of all) {
          v = get();
          if (name === 'and' ? !truth(v) : truth(v)) return v;
        }
        return v;
      }
      const args = rest.map(a => this.arg(a, dot, scope));
      if (piped) args.push(piped.value);
      if (name === 'include') {
        return this.include(String(args[0]), args[1]);
      }
      const fn = this.funcs[name];
      if (!fn) throw new TemplateError(`function "${name}" not defined`);
      return fn(...args);
    }
    if (rest.length || piped) {
      throw new TemplateError(
        `can't give argument to non-function ${head.kind}`,
      );
    }
    return this.arg(head, dot, scope);
  }

  private arg(a: Arg, dot: unknown, scope: Scope): unknown {
    switch (a.kind) {
      case 'dot':
        return dot;
      case 'string':
      case 'number':
      case 'bool':
        return a.value;
      case 'nil':
        return null;
      case 'variable':
        return this.variable(a.name, scope);
      case 'pipe':
        return this.pipeline(a.pipe, dot, scope);
      case 'identifier':
        return this.command({ args: [a] }, dot, scope);
      case 'field': {
        let receiver: unknown;
        let label: string;
        if (a.receiver === 'dot') {
          receiver = dot;
          label = '';
        } else if ('variable' in a.receiver) {
          receiver = this.variable(a.receiver.variable, scope);
          label = a.receiver.variable;
        } else {
          receiver = this.pipeline(a.receiver.pipe, dot, scope);
          label = '(pipeline)';
        }
        for (const key of a.path) {
          if (receiver === null || receiver === undefined) {
            throw new TemplateError(
              `nil pointer evaluating interface {}.${key} (at ${label}.${key})`,
            );
          }
          if (typeof receiver !== 'object' || Array.isArray(receiver)) {
            throw new TemplateError(
              `can't evaluate field ${key} in type ${typeof receiver}`,
            );
          }
          const rec = receiver as Record<string, unknown>;
          receiver = Object.prototype.hasOwnProperty.call(rec, key)
            ? rec[key]
            : null;
          label += `.${key}`;
        }
        return receiver;
      }
      default:
        throw new TemplateError('bad argument');
    }
  }

  private variable(name: string, scope: Scope): unknown {
    for (let i = scope.vars.length - 1; i >= 0; i--) {
      if (scope.vars[i][0] === name) return scope.vars[i][1];
    }
    throw new TemplateError(`undefined variable "${name}"`);
  }
}
