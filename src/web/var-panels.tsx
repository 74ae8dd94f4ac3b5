/**
 * Variable panels generated from a template's `!public` var specs: one panel per `panel` name (in order of first
 * index), fields sorted by `index`, each with the widget its spec names, its type, default and allowed values;
 * `visibleIf` / `enabledIf` are evaluated as the values change (an expression that does not parse is shown, in words).
 */
import type { JSX } from 'preact';
import { evaluateCondition } from '../common/var-condition.ts';
import {
  VarSpecMessage_Type as VarType,
  VarSpecMessage_UiWidget as Widget,
} from '../gen/protos/o2control_pb.ts';
import type { VarSpecMessage } from '../gen/protos/o2control_pb.ts';

export type Specs = Readonly<Record<string, VarSpecMessage>>;
export type Values = Readonly<Record<string, string>>;

/** Defaults of every spec (the values a fresh form starts with). */
export function defaultValues(specs: Specs): Record<string, string> {
  return Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.defaultValue]));
}

/** Panels in display order, each with its variables in index order. */
export function panels(specs: Specs): [string, [string, VarSpecMessage][]][] {
  const by = new Map<string, [string, VarSpecMessage][]>();
  const sorted = Object.entries(specs).sort(([a, x], [b, y]) => x.index - y.index || a.localeCompare(b));
  for (const entry of sorted) {
    const name = entry[1].panel === '' ? 'General' : entry[1].panel;
    const list = by.get(name) ?? [];
    list.push(entry);
    by.set(name, list);
  }
  return [...by];
}

export function VarPanels(props: {
  readonly specs: Specs;
  readonly values: Values;
  readonly onChange: (key: string, value: string) => void;
}): JSX.Element {
  return (
    <div class="var-panels">
      {panels(props.specs).map(([name, vars]) => (
        <fieldset class="panel var-panel" data-panel={name}>
          <legend>{name}</legend>
          {vars.map(([key, spec]) => (
            <VarField key={key} name={key} spec={spec} values={props.values} onChange={props.onChange} />
          ))}
        </fieldset>
      ))}
    </div>
  );
}

function VarField(props: {
  readonly name: string;
  readonly spec: VarSpecMessage;
  readonly values: Values;
  readonly onChange: (key: string, value: string) => void;
}): JSX.Element | null {
  const { name, spec } = props;
  const visible = evaluateCondition(spec.visibleIf, props.values);
  const enabled = evaluateCondition(spec.enabledIf, props.values);
  if (visible.ok && !visible.value) return null;
  const problems = [visible, enabled].flatMap((c) => (c.ok ? [] : [c.reason]));
  const id = `var-${name}`;
  const value = props.values[name] ?? spec.defaultValue;
  const disabled = enabled.ok && !enabled.value;
  const set = (v: string): void => props.onChange(name, v);
  return (
    <div class="field" data-var={name}>
      <label for={id} title={spec.description}>
        {spec.label !== '' ? spec.label : name} <span class="dim mono small">{name}</span>
      </label>
      {widget({ id, spec, value, disabled, set })}
      {spec.description !== '' ? <div class="help">{spec.description}</div> : null}
      {problems.map((p) => (
        <div class="error small">Condition not understood: {p}</div>
      ))}
    </div>
  );
}

interface WidgetProps {
  readonly id: string;
  readonly spec: VarSpecMessage;
  readonly value: string;
  readonly disabled: boolean;
  readonly set: (v: string) => void;
}

function widget(p: WidgetProps): JSX.Element {
  const { spec } = p;
  const allowed = spec.allowedValues;
  if (spec.widget === Widget.checkBox || (spec.type === VarType.bool && spec.widget === Widget.editBox))
    return (
      <input
        id={p.id}
        type="checkbox"
        checked={p.value === 'true'}
        disabled={p.disabled}
        onChange={(e) => p.set(e.currentTarget.checked ? 'true' : 'false')}
      />
    );
  if ((spec.widget === Widget.dropDownBox || spec.widget === Widget.listBox) && allowed.length > 0)
    return (
      <select
        id={p.id}
        value={p.value}
        disabled={p.disabled}
        size={spec.widget === Widget.listBox ? Math.min(6, allowed.length) : undefined}
        onChange={(e) => p.set(e.currentTarget.value)}
      >
        {allowed.includes(p.value) ? null : <option value={p.value}>{p.value}</option>}
        {allowed.map((v) => (
          <option value={v}>{v}</option>
        ))}
      </select>
    );
  if (spec.widget === Widget.radioButtonBox && allowed.length > 0)
    return (
      <div class="radios" role="radiogroup" id={p.id}>
        {allowed.map((v) => (
          <label>
            <input
              type="radio"
              name={p.id}
              value={v}
              checked={p.value === v}
              disabled={p.disabled}
              onChange={() => p.set(v)}
            />{' '}
            {v}
          </label>
        ))}
      </div>
    );
  if (spec.widget === Widget.slider) {
    const [min = '0', max = '100'] = allowed;
    return (
      <span class="slider">
        <input
          id={p.id}
          type="range"
          min={min}
          max={max}
          value={p.value}
          disabled={p.disabled}
          onInput={(e) => p.set(e.currentTarget.value)}
        />
        <output class="mono">{p.value}</output>
      </span>
    );
  }
  if (spec.rows > 1 || spec.type === VarType.list || spec.type === VarType.map)
    return (
      <textarea
        id={p.id}
        rows={Math.max(2, spec.rows)}
        value={p.value}
        disabled={p.disabled}
        class="mono"
        onInput={(e) => p.set(e.currentTarget.value)}
      />
    );
  const listId = spec.widget === Widget.comboBox && allowed.length > 0 ? `${p.id}-values` : undefined;
  return (
    <span>
      <input
        id={p.id}
        type={spec.type === VarType.number ? 'number' : 'text'}
        value={p.value}
        disabled={p.disabled}
        list={listId}
        onInput={(e) => p.set(e.currentTarget.value)}
      />
      {listId !== undefined ? (
        <datalist id={listId}>
          {allowed.map((v) => (
            <option value={v} />
          ))}
        </datalist>
      ) : null}
    </span>
  );
}
