/** The inventory rule and the inventory's parsing and tags. */
import { expect } from 'chai';
import type { Image } from '@aws-sdk/client-ec2';
import { imageInventoryStale } from '../../../src/audit/rules/image-inventory-stale.js';
import { RULE_PACK } from '../../../src/audit/pack.js';
import { inventoryTags, parseInventory } from '../../../src/bake/inventory.js';

const now = new Date('2026-12-03T00:00:00Z');
const subject = (tags: Record<string, string>) => ({
  kind: 'image' as const,
  account: '111111111111',
  region: 'us-east-1',
  image: { ImageId: 'ami-0123456789abcdef0', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } as Image,
});

describe('audit rule image-inventory-stale', () => {
  it('is in the pack', () => {
    expect(RULE_PACK.map((r) => r.id)).to.include('image-inventory-stale');
  });

  it('flags an inventory older than the maximum age (45 days by default, or as configured)', () => {
    const old = subject({ 'winami:inventory-at': '2026-10-01T00:00:00Z', 'winami:os-build': '20348.1500', 'winami:updates': 'KB5043052' });
    const hits = imageInventoryStale(old, { now })!;
    expect(hits.map((h) => h.message)).to.deep.equal(["ami-0123456789abcdef0 was inventoried 63 days ago (at most 45); rebuild it with this month's updates"]);
    expect(imageInventoryStale(old, { now, inventory: { maxAgeDays: 90 } })).to.equal(undefined);
  });

  it('flags required KBs the image lacks, and passes when they are there', () => {
    const fresh = subject({ 'winami:inventory-at': '2026-12-01T00:00:00Z', 'winami:updates': 'KB5043063,KB5043062' });
    expect(imageInventoryStale(fresh, { now, inventory: { requiredKbs: ['KB5043062'] } })).to.equal(undefined);
    const hits = imageInventoryStale(fresh, { now, inventory: { requiredKbs: ['kb5043062', 'KB5099999', 'KB5088888'] } })!;
    expect(hits[0]!.message).to.equal('ami-0123456789abcdef0 lacks required updates KB5099999, KB5088888');
    expect(hits[0]!.evidence).to.deep.include({ missing: 'KB5099999,KB5088888' });
  });

  it('does not judge images without an inventory, and throws on a malformed date (evaluate makes that a finding)', () => {
    expect(imageInventoryStale(subject({ Name: 'x' }), { now, inventory: { requiredKbs: ['KB1'] } })).to.equal(undefined);
    expect(() => imageInventoryStale(subject({ 'winami:inventory-at': 'yesterday' }), { now })).to.throw(/not a date/);
  });
});

describe('inventory', () => {
  it('parses the script lines and summarizes them as tags, newest KBs first within 256 characters', () => {
    const out = [
      'WINAMI inventory osBuild=20348.1600',
      'WINAMI inventory update kb=KB1000001 installedOn=2026-10-01 title=old (KB1000001)',
      'WINAMI inventory update kb=KB1000002 installedOn=2026-12-01 title=new (KB1000002)',
      'WINAMI inventory component name=Amazon Elastic Network Adapter version=2.10.0',
      'WINAMI inventory feature name=Web-Server',
    ].join('\r\n');
    const inv = parseInventory(out, now)!;
    expect(inv.osBuild).to.equal('20348.1600');
    expect(inv.components).to.deep.equal([{ name: 'Amazon Elastic Network Adapter', version: '2.10.0' }]);
    expect(inv.features).to.deep.equal(['Web-Server']);
    expect(inventoryTags(inv)).to.deep.equal({
      'winami:inventory-at': now.toISOString(),
      'winami:os-build': '20348.1600',
      'winami:updates': 'KB1000002,KB1000001',
    });
    const many = {
      ...inv,
      updates: Array.from({ length: 40 }, (_, i) => ({ kb: `KB${5000000 + i}`, title: '', installedOn: `2026-01-${String((i % 28) + 1).padStart(2, '0')}` })),
    };
    const value = inventoryTags(many)['winami:updates']!;
    expect(value.length).to.be.at.most(256);
    // Nine characters per KB and a comma between: 25 fit in 256.
    expect(value.split(',')).to.have.length(25);
    expect(parseInventory('WINAMI inventory feature name=X', now)).to.equal(undefined);
  });
});
