/**
 * seal-bundleconfig-plugin: BundleConfig.xml holds `BundleConfig/Property`
 * elements (Name, Value), not `Plugins/Plugin` as Config.xml does; a script
 * that looks for a Plugin in it changes nothing, so AutoSysprep is never set
 * (AWS, "Configure EC2Config", BundleConfig.xml; domain-facts §3).
 *
 * Variables are followed in script order: one assigned from anything naming
 * BundleConfig.xml (a path, `[xml](Get-Content …)`, or another such
 * variable) holds BundleConfig until it is assigned something else, so a
 * script that edits Config.xml's plugins through the same names afterwards is
 * not taken for a mistake.
 */
import type { Rule, RuleFinding } from '../types.js';

const ASSIGN = /^\s*\$(\w+)\s*=\s*(.*)$/;
const CHAIN = /\$(\w+)((?:\.\w+(?:\(\))?|\.\w+\([^)]*\))*)/g;

export const sealBundleconfigPlugin: Rule = (ctx) => {
  if (!ctx.script || !/BundleConfig\.xml/i.test(ctx.text)) return [];
  const out: RuleFinding[] = [];
  const bundle = new Set<string>();
  const refersToBundle = (rhs: string) => /BundleConfig\.xml/i.test(rhs) || [...rhs.matchAll(/\$(\w+)/g)].some((m) => bundle.has(m[1]!.toLowerCase()));
  ctx.text.split('\n').forEach((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, '');
    const looksForPlugin =
      /BundleConfig\s*[./]\s*Plugins?\b/i.test(code) ||
      [...code.matchAll(CHAIN)].some((m) => bundle.has(m[1]!.toLowerCase()) && /\.Plugins?\b|Select(Single)?Nodes?\([^)]*Plugin/i.test(m[2]!));
    if (looksForPlugin) {
      out.push({
        message:
          'This looks for Plugins/Plugin in BundleConfig.xml, which has only BundleConfig/Property entries: nothing is changed and AutoSysprep is never set',
        hint: "select //Property[Name='AutoSysprep'] and set its Value to Yes",
        line: i + 1,
        column: code.search(/\S/) + 1,
      });
    }
    const a = ASSIGN.exec(code);
    if (a) {
      if (refersToBundle(a[2]!)) bundle.add(a[1]!.toLowerCase());
      else bundle.delete(a[1]!.toLowerCase());
    }
  });
  return out;
};
