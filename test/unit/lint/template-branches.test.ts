/**
 * Template conditionals: elements on either side of an `else` (Terraform
 * `%{ else }`, Jinja `{% else %}`) are alternatives, one of which is
 * rendered, so they are no duplicates with --allow-placeholders. The same
 * copies without the `else`, or without --allow-placeholders, still are.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText } from '../../../src/lint/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

const TEMPLATE = readFileSync(join(packageRoot(), 'test/fixtures/lint/templates/firmware-branches.pkrtpl.hcl'), 'utf8');
const errors = (text: string, allowPlaceholders: boolean) =>
  lintText(text, { kind: 'unattend', allowPlaceholders })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId}:${f.line}`);

describe('lint: alternatives of a template conditional', () => {
  it('reports no duplicate between the branches of %{ else } and {% else %}', () => {
    expect(errors(TEMPLATE, true)).to.deep.equal([]);
  });

  it('still reports the copies when no else separates them', () => {
    const noElse = TEMPLATE.replace('%{~ else ~}', '%{~ endif ~}%{~ if bios ~}').replace('{% else %}', '{% endif %}{% if ssh %}');
    expect(errors(noElse, true)).to.have.members(['unattend-duplicate:17', 'list-items:35']);
  });

  it('still reports a duplicate inside one branch', () => {
    const inBranch = TEMPLATE.replace('<Order>2</Order><Type>MSR</Type>', '<Order>1</Order><Type>MSR</Type>');
    expect(errors(inBranch, true)).to.include('list-items:13');
  });

  it('does not look for branches without --allow-placeholders', () => {
    expect(errors(TEMPLATE, false)).to.include('unattend-duplicate:17');
  });
});
