/**
 * A small schema language for launch-agent settings (agent-config.yml task
 * inputs, LaunchConfig.json keys). Data, so renderers and the linter share it.
 */
export type ValueSchema =
  | { readonly type: 'string'; readonly pattern?: string; readonly maxLength?: number; readonly note?: string }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list'; readonly items: ValueSchema }
  | { readonly type: 'map'; readonly fields: Readonly<Record<string, ValueSchema>>; readonly required?: readonly string[] }
  | { readonly type: 'oneOf'; readonly options: readonly ValueSchema[] };
