/**
 * Transition arguments as a task sees them: the flat `key=value` list of the wire, a property tree split on dots
 * (like the OCC library's boost ptree), and FairMQ-style typed properties (the OCC plugin's SetProperty rules).
 */

/** A node of an argument tree: leaves are strings (or typed values for FairMQ / parsed JSON). */
export type ArgNode = string | number | boolean | null | ArgNode[] | ArgTree;
export interface ArgTree {
  [key: string]: ArgNode;
}

const PTREE_PREFIX = '__ptree__:';
/** Channel property names the OCC plugin pushes as integers. */
const INT_CHANNEL_KEYS = new Set([
  'rateLogging',
  'rcvBufSize',
  'sndBufSize',
  'linger',
  'rcvKernelSize',
  'sndKernelSize',
]);

/**
 * Splits `__ptree__:<syntax>:<key>` into its key and parsed value; JSON payloads become subtrees, other syntaxes
 * (ini, xml) and malformed JSON stay strings. Returns undefined for ordinary keys.
 */
export function parsePtreeEntry(key: string, value: string): { key: string; value: ArgNode } | undefined {
  if (!key.startsWith(PTREE_PREFIX)) return undefined;
  const rest = key.slice(PTREE_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return { key: rest, value };
  const syntax = rest.slice(0, colon);
  const target = rest.slice(colon + 1);
  if (syntax !== 'json') return { key: target, value };
  try {
    return { key: target, value: JSON.parse(value) as ArgNode };
  } catch {
    return { key: target, value };
  }
}

/** Puts `value` at the dotted `path` of `tree`; a later leaf replaces an earlier subtree and vice versa. */
function setPath(tree: ArgTree, path: string, value: ArgNode): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
      node = child;
    } else {
      const fresh: ArgTree = {};
      node[part] = fresh;
      node = fresh;
    }
  }
  node[parts[parts.length - 1] ?? ''] = value;
}

/**
 * The arguments as a nested object: `chans.x.0.address` → `{chans: {x: {'0': {address}}}}`, and
 * `__ptree__:json:cfg` parsed into the subtree `cfg`.
 */
export function argTree(args: Readonly<Record<string, string>>): ArgTree {
  const tree: ArgTree = {};
  for (const [key, value] of Object.entries(args)) {
    const ptree = parsePtreeEntry(key, value);
    if (ptree !== undefined) setPath(tree, ptree.key, ptree.value);
    else setPath(tree, key, value);
  }
  return tree;
}

/** A FairMQ device property value after the OCC plugin's conversions. */
export type PropertyValue = ArgNode;

/**
 * FairMQ SetProperty semantics for CONFIGURE arguments: `chans.*.<k>` with k among rateLogging, rcvBufSize,
 * sndBufSize, linger, rcvKernelSize, sndKernelSize become integers, `chans.*.autoBind` a boolean, `__ptree__:` keys
 * parsed subtrees; everything else stays a string. Non-numeric integer values are kept as strings.
 */
export function fairMqProperties(args: Readonly<Record<string, string>>): Map<string, PropertyValue> {
  const props = new Map<string, PropertyValue>();
  for (const [key, value] of Object.entries(args)) {
    const ptree = parsePtreeEntry(key, value);
    if (ptree !== undefined) {
      props.set(ptree.key, ptree.value);
      continue;
    }
    const last = key.split('.').pop() ?? '';
    if (key.startsWith('chans.') && INT_CHANNEL_KEYS.has(last)) {
      const n = Number.parseInt(value, 10);
      props.set(key, Number.isNaN(n) ? value : n);
    } else if (key.startsWith('chans.') && last === 'autoBind') {
      props.set(key, value === '1' || value.toLowerCase() === 'true');
    } else {
      props.set(key, value);
    }
  }
  return props;
}

/** A property map as a nested object (dotted keys split). */
export function propertyTree(props: ReadonlyMap<string, PropertyValue>): ArgTree {
  const tree: ArgTree = {};
  for (const [key, value] of props) setPath(tree, key, value);
  return tree;
}
