// nunjucks's runtime functions (and the code its compiler emits for a loop's variables and a
// template variable's members), replaced by ones that give the same output for less: each ran
// on every value or row of every page and stood out in a profile of the events page.
// test/views.test.ts holds that the output is nunjucks's own. Each replaces once however often
// it is called, so every createViews() may.
import nunjucks from "nunjucks";

/**
 * nunjucks's Frame.set splits a variable's name on "." at every call, and a {% for %} sets
 * eight names an item (the item, then loop.index, loop.first and the rest): 640 splits a
 * request on the events page, the largest single cost of its rendering in a profile. The
 * same method, with each name split once and kept.
 */
export function setWithoutSplitting(): void {
  type Variables = Record<string, unknown>;
  type FrameLike = {
    variables: Variables;
    resolve(name: string, forWrite: boolean): FrameLike | null;
  };
  // Frame is in nunjucks's runtime, though not in its type declarations.
  const { Frame } = nunjucks.runtime as unknown as { Frame: { prototype: unknown } };
  const proto = Frame.prototype as FrameLike & {
    set(name: string, value: unknown, resolveUp?: boolean): void;
  };
  const splitOnce = new Map<string, string[]>();
  proto.set = function set(this: FrameLike, name, value, resolveUp) {
    let parts = splitOnce.get(name);
    if (parts === undefined) {
      parts = name.split(".");
      splitOnce.set(name, parts);
    }
    if (resolveUp) {
      const frame = this.resolve(parts[0] as string, true);
      if (frame) {
        (frame as typeof proto).set(name, value);
        return;
      }
    }
    let variables = this.variables;
    for (let i = 0; i < parts.length - 1; i++) {
      const id = parts[i] as string;
      if (!variables[id]) variables[id] = {};
      variables = variables[id] as Variables;
    }
    variables[parts[parts.length - 1] as string] = value;
  };
}

/**
 * nunjucks escapes every value a page prints with String.replace and a callback, which costs
 * as much for a title with nothing to escape (nearly all of them) as for one with: a fifth of
 * the events page's rendering. The same escape, after a test that finds something to escape.
 */
export function escapeOnlyWhenNeeded(): void {
  // lib is in nunjucks's runtime, though its escape is not in the type declarations.
  const lib = nunjucks.lib as unknown as { escape(text: string): string };
  const nunjucksEscape = lib.escape;
  if ((nunjucksEscape as { onlyWhenNeeded?: true }).onlyWhenNeeded) return;
  // The characters nunjucks's escape replaces (its escapeMap).
  const special = /[&"'<>\\]/;
  const onlyWhenNeeded = (text: string) => (special.test(text) ? nunjucksEscape(text) : text);
  lib.escape = Object.assign(onlyWhenNeeded, { onlyWhenNeeded: true as const });
}

/**
 * nunjucks reads `e.title` through memberLookup, which reads the property twice (once to see
 * whether it is a function, once to return it): one read for every value of every row. The
 * same lookup, reading once.
 */
export function lookUpMembersOnce(): void {
  type Lookup = ((obj: unknown, name: string) => unknown) & { readsOnce?: true };
  const runtime = nunjucks.runtime as unknown as { memberLookup: Lookup };
  if (runtime.memberLookup.readsOnce) return;
  const memberLookup = (obj: unknown, name: string) => {
    if (obj === undefined || obj === null) return undefined;
    const value = (obj as Record<string, unknown>)[name];
    if (typeof value !== "function") return value;
    // A method stays bound to its object, as nunjucks's own lookup gives it.
    return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args);
  };
  runtime.memberLookup = Object.assign(memberLookup, { readsOnce: true as const });
}

/**
 * nunjucks turns every printed value into text and escapes it; a number's text (digits, a
 * sign, a point, an exponent, NaN, Infinity) never holds a character to escape, and a page
 * prints ids, seats and counts on every row. The same output, without the escape's test.
 */
export function numbersWithoutEscaping(): void {
  type Suppress = ((value: unknown, autoescape: boolean) => unknown) & { numbersAsIs?: true };
  const runtime = nunjucks.runtime as unknown as {
    suppressValue: Suppress;
    SafeString: new (text: string) => object;
  };
  if (runtime.suppressValue.numbersAsIs) return;
  const lib = nunjucks.lib as unknown as { escape(text: string): string };
  const { SafeString } = runtime;
  const suppressValue = (value: unknown, autoescape: boolean) => {
    if (value === undefined || value === null) return "";
    if (typeof value === "number") return autoescape ? String(value) : value;
    if (!autoescape || value instanceof SafeString) return value;
    return lib.escape((value as { toString(): string }).toString());
  };
  runtime.suppressValue = Object.assign(suppressValue, { numbersAsIs: true as const });
}

/**
 * Every {% for %} sets seven loop variables an item (loop.index, loop.first, ...), each through
 * Frame.set: seven calls that each look the name up and walk to the `loop` object, on every
 * row of every page (the largest single cost of the events page's rendering after the escape
 * fix). The compiled loop sets the same seven, on the same object, in one call.
 */
export function loopVariablesInOneCall(): void {
  type Variables = Record<string, unknown>;
  type Loop = Record<string, number | boolean>;
  const { Frame } = nunjucks.runtime as unknown as { Frame: { prototype: unknown } };
  const frame = Frame.prototype as { variables: Variables; setLoop?: unknown };
  const { Compiler } = (nunjucks as unknown as { compiler: { Compiler: { prototype: unknown } } })
    .compiler;
  const compiler = Compiler.prototype as {
    _emitLine(line: string): void;
    _emitLoopBindings(node: unknown, array: string, index: string, length: string): void;
  };
  if (frame.setLoop !== undefined) return;
  frame.setLoop = function setLoop(this: { variables: Variables }, i: number, length: number) {
    let loop = this.variables.loop as Loop | undefined;
    if (!loop) {
      loop = {};
      this.variables.loop = loop;
    }
    loop.index = i + 1;
    loop.index0 = i;
    loop.revindex = length - i;
    loop.revindex0 = length - i - 1;
    loop.first = i === 0;
    loop.last = i === length - 1;
    loop.length = length;
  };
  compiler._emitLoopBindings = function _emitLoopBindings(_node, _array, index, length) {
    this._emitLine(`frame.setLoop(${index}, ${length});`);
  };
}

/** Environment.getFilter reads the filter twice (to check it exists, then to return it): once. */
export function filtersReadOnce(): void {
  type Filters = Record<string, unknown>;
  const environment = nunjucks.Environment.prototype as unknown as {
    filters: Filters;
    getFilter: ((name: string) => unknown) & { readsOnce?: true };
  };
  if (environment.getFilter.readsOnce) return;
  const getFilter = function getFilter(this: { filters: Filters }, name: string) {
    const filter = this.filters[name];
    if (!filter) throw new Error(`filter not found: ${name}`);
    return filter;
  };
  environment.getFilter = Object.assign(getFilter, { readsOnce: true as const });
}

/**
 * `{{ e.title }}` compiles to runtime.memberLookup(e, "title"): one function for every member
 * read of every template, so V8 sees every shape of every row at the one property read inside
 * it and reads megamorphically, through its stub cache, 700 times an events page. When the
 * object is a template variable (a loop item, a macro argument) and the member a plain name,
 * the read is written where it is used instead, where V8 sees one shape (the rows of that one
 * query). The same value as memberLookup: nothing for a missing object, a method bound to its
 * object through memberLookup itself (a member is read twice then, as nunjucks's own reads it).
 * The events page's rendering: 86 -> 59 us a page in a server's profile (30,000 pages).
 */
export function memberReadsInline(): void {
  type Node = { typename: string; value?: unknown; target?: Node; val?: Node };
  type Frame = { lookup(name: string): string | undefined };
  type CompilerProto = {
    _emit(code: string): void;
    compileLookupVal: ((node: Node, frame: Frame) => void) & { inline?: true };
  };
  const { Compiler } = (nunjucks as unknown as { compiler: { Compiler: { prototype: unknown } } })
    .compiler;
  const compiler = Compiler.prototype as CompilerProto;
  if (compiler.compileLookupVal.inline) return;
  const throughRuntime = compiler.compileLookupVal;
  const plainName = /^[A-Za-z_$][\w$]*$/;
  const compileLookupVal = function compileLookupVal(
    this: CompilerProto,
    node: Node,
    frame: Frame,
  ) {
    const { target, val } = node;
    // A template variable compiles to a JavaScript variable of the compiled function (t_18,
    // l_user); anything else (a context lookup, a call) is left to memberLookup, evaluated once.
    const variable =
      target?.typename === "Symbol" && typeof target.value === "string"
        ? frame.lookup(target.value)
        : undefined;
    const member = val?.typename === "Literal" ? val.value : undefined;
    if (
      variable === undefined ||
      !plainName.test(variable) ||
      typeof member !== "string" ||
      !plainName.test(member)
    ) {
      throughRuntime.call(this, node, frame);
      return;
    }
    const read = `${variable}.${member}`;
    this._emit(
      `(${variable} === undefined || ${variable} === null ? undefined : typeof ${read} === "function" ? runtime.memberLookup(${variable}, "${member}") : ${read})`,
    );
  };
  compiler.compileLookupVal = Object.assign(compileLookupVal, { inline: true as const });
}
