/**
 * Types of `precompiled-templates.js`, which `scripts/precompile-templates.ts`
 * writes into dist/ at build time: the Handlebars template specs of every
 * partial (by name) and template (by `TemplateName`), compiled with
 * `COMPILE_OPTIONS`.
 */
export declare const PARTIALS: Readonly<Record<string, object>>;
export declare const TEMPLATES: Readonly<Record<string, object>>;
