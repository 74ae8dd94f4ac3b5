/**
 * GUI descriptions of the user-settable variables of a workflow template: the `!public` mappings found inside
 * `defaults:` and `vars:` maps (AliECS `GetWorkflowTemplates` / `VarSpecMessage`). Pure data, no I/O.
 */

/** Value types a GUI can edit; the value is the name used in templates (`type: bool`). */
export const VAR_TYPES = ['string', 'number', 'bool', 'list', 'map'] as const;
export type VarType = (typeof VAR_TYPES)[number];

/** Widget hints; the value is the name used in templates (`widget: checkBox`). */
export const VAR_WIDGETS = [
  'editBox',
  'slider',
  'listBox',
  'dropDownBox',
  'comboBox',
  'radioButtonBox',
  'checkBox',
] as const;
export type VarWidget = (typeof VAR_WIDGETS)[number];

/** Which map of the template declared the variable; only `defaults` specs take Apricot global overrides. */
export type VarSpecSource = 'defaults' | 'vars';

/**
 * One public variable. Every field is present: absent template keys take the protobuf zero values
 * (type `string`, widget `editBox`, empty strings, index and rows 0, no allowed values).
 */
export interface VarSpec {
  readonly source: VarSpecSource;
  /** Default value as text (the only field the workflow engine uses). */
  readonly value: string;
  readonly type: VarType;
  readonly label: string;
  readonly description: string;
  readonly widget: VarWidget;
  readonly panel: string;
  /** Allowed values (template key `values`). */
  readonly values: readonly string[];
  /** Position hint within the panel; may be negative. */
  readonly index: number;
  /** Text area height hint; non-negative. */
  readonly rows: number;
  /** JavaScript expression evaluated by the GUI (template key `visibleif`). */
  readonly visibleIf: string;
  /** JavaScript expression evaluated by the GUI (template key `enabledif`). */
  readonly enabledIf: string;
}

/** True for the names of VarType. */
export function isVarType(s: string): s is VarType {
  return (VAR_TYPES as readonly string[]).includes(s);
}

/** True for the names of VarWidget. */
export function isVarWidget(s: string): s is VarWidget {
  return (VAR_WIDGETS as readonly string[]).includes(s);
}

/** A spec with every field at its zero value, for building specs field by field. */
export function emptyVarSpec(source: VarSpecSource): VarSpec {
  return {
    source,
    value: '',
    type: 'string',
    label: '',
    description: '',
    widget: 'editBox',
    panel: '',
    values: [],
    index: 0,
    rows: 0,
    visibleIf: '',
    enabledIf: '',
  };
}
