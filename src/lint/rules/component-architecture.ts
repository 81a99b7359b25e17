/**
 * component-architecture: a known processorArchitecture, one architecture
 * outside windowsPE (wow64 may accompany amd64), matching the target.
 * windowsPE may hold x86 and amd64 copies because the PE can be 32-bit.
 */
import { PROCESSOR_ARCHITECTURES } from '../../knowledge/unattend/index.js';
import { didYouMean } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr } from '../xml.js';
import { atAttribute, atElement, q } from './util.js';

const COMPATIBLE: Readonly<Record<string, readonly string[]>> = { amd64: ['amd64', 'wow64'], x86: ['x86'], arm64: ['arm64'] };

export const componentArchitecture: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  const target = ctx.options.architecture;
  let first: { arch: string; line: number } | undefined;
  for (const c of ctx.unattend?.components ?? []) {
    const a = attr(c.el, 'processorArchitecture');
    if (!a) {
      out.push(atElement(c.el, `Component ${q(c.name ?? '?')} has no processorArchitecture`, `add processorArchitecture="${target ?? 'amd64'}"`));
      continue;
    }
    if (!(PROCESSOR_ARCHITECTURES as readonly string[]).includes(a.value)) {
      out.push(
        atAttribute(
          a,
          `Unknown processorArchitecture ${q(a.value)}`,
          didYouMean(a.value, PROCESSOR_ARCHITECTURES) ?? `use one of: ${PROCESSOR_ARCHITECTURES.join(', ')}`,
        ),
      );
      continue;
    }
    if (c.pass.name === 'windowsPE' || a.value === 'wow64') continue;
    if (target && !(COMPATIBLE[target] ?? []).includes(a.value)) {
      out.push(atAttribute(a, `processorArchitecture is ${q(a.value)} but the image is ${target}`, `use processorArchitecture="${target}"`));
      continue;
    }
    if (!first) first = { arch: a.value, line: a.line };
    else if (first.arch !== a.value) {
      out.push(
        atAttribute(
          a,
          `processorArchitecture ${q(a.value)} differs from ${q(first.arch)} used at line ${first.line}`,
          `use one architecture outside windowsPE (wow64 may accompany amd64)`,
        ),
      );
    }
  }
  return out;
};
