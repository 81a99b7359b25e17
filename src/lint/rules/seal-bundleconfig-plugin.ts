/**
 * seal-bundleconfig-plugin: BundleConfig.xml holds `BundleConfig/Property`
 * elements (Name, Value), not `Plugins/Plugin` as Config.xml does; a script
 * that looks for a Plugin in it changes nothing, so AutoSysprep is never set
 * (AWS, "Configure EC2Config", BundleConfig.xml; domain-facts §3).
 */
import type { Rule, RuleFinding } from '../types.js';

export const sealBundleconfigPlugin: Rule = (ctx) => {
  if (!ctx.script || !/BundleConfig\.xml/i.test(ctx.text)) return [];
  const out: RuleFinding[] = [];
  const lines = ctx.text.split('\n');
  // Variables loaded from BundleConfig.xml: $x = [xml](Get-Content ...BundleConfig.xml) or $x.Load('...BundleConfig.xml').
  const vars = new Set<string>();
  for (const m of ctx.text.matchAll(/\$(\w+)\s*=\s*\[xml\][^\n]*BundleConfig\.xml/gi)) vars.add(m[1]!.toLowerCase());
  for (const m of ctx.text.matchAll(/\$(\w+)\.Load\([^\n]*BundleConfig\.xml/gi)) vars.add(m[1]!.toLowerCase());
  const mentionsConfigXml = /[\\/]Config\.xml/i.test(ctx.text.replace(/BundleConfig\.xml/gi, ''));
  lines.forEach((line, i) => {
    const viaVar = [...line.matchAll(/\$(\w+)\.(?:BundleConfig\.)?(Plugins|SelectNodes|SelectSingleNode)\b([^\n]*)/gi)].some(
      (m) => vars.has(m[1]!.toLowerCase()) && (m[2]!.toLowerCase() === 'plugins' || /Plugin/i.test(m[3]!)),
    );
    const direct = /BundleConfig\.Plugins|BundleConfig\/Plugins/i.test(line) || (!mentionsConfigXml && vars.size === 0 && /Plugins[./]Plugin|\/\/Plugin\b/i.test(line));
    if (viaVar || direct) {
      out.push({ message: 'This looks for Plugins/Plugin in BundleConfig.xml, which has only BundleConfig/Property entries: nothing is changed and AutoSysprep is never set', hint: "select //Property[Name='AutoSysprep'] and set its Value to Yes", line: i + 1, column: line.search(/\S/) + 1 });
    }
  });
  return out;
};
