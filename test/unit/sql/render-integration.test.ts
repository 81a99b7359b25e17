import { expect } from 'chai';
import { renderBundle } from '../../../src/render/bundle.js';
import { byolConfig, licenseIncludedConfig } from './fixtures.js';

const AGENTS: [string, string][] = [
  ['2022', 'ec2launch-v2'],
  ['2019', 'ec2launch-v1'],
  ['2012 R2', 'ec2config'],
];

describe('sql part inside the rendered bundle', () => {
  for (const [release, agent] of AGENTS) {
    it(`byol-prepare on ${agent}: PrepareImage after the user's steps, CompleteImage then the rename at first boot, key never resolved on the builder`, async () => {
      const config = byolConfig({}, release);
      expect(config.launchAgent).to.equal(agent);
      const bundle = await renderBundle(config);
      const text = (path: string) => bundle.files.find((f) => f.path === path)!.content.toString('utf8');
      expect(bundle.plan.customize.map((s) => [s.name, s.script, s.scriptDestination])).to.deep.equal([
        ['SQL Server 2022 PrepareImage', 'scripts/sql/prepare-image.ps1', 'C:\\ProgramData\\winami\\scripts\\sql\\prepare-image.ps1'],
      ]);
      const firstBoot = text('scripts/first-boot-cleanup.ps1');
      const complete = firstBoot.indexOf("-File 'C:\\ProgramData\\winami\\sql\\complete-image.ps1'");
      const repair = firstBoot.indexOf("-File 'C:\\ProgramData\\winami\\sql\\repair-servername.ps1'");
      expect(complete).to.be.greaterThan(0);
      expect(repair).to.be.greaterThan(complete);
      expect(firstBoot.indexOf("Remove-Item -LiteralPath 'C:\\ProgramData\\winami\\first-boot-cleanup.ps1'")).to.be.greaterThan(repair);
      // The INI keeps its token; the builder's resolve-secrets.ps1 has no file to put the key into.
      expect(text('sql/CompleteImage.ini')).to.include('PID="@@WINAMI_SECRET:sqlProductKey@@"');
      const resolve = text('scripts/resolve-secrets.ps1');
      const slots = resolve.slice(resolve.indexOf('$secrets = @('), resolve.indexOf('foreach ($secret in $secrets)'));
      expect(slots).not.to.include('CompleteImage');
      expect(slots).not.to.include('sqlProductKey');
      expect(bundle.plan.secrets.find((s) => s.slot === 'sqlProductKey')!.files).to.deep.equal([]);
      expect(bundle.plan.sql!.firstBootSecrets).to.deep.equal([
        { slot: 'sqlProductKey', parameter: '/winami/sql/product-key', files: ['sql/CompleteImage.ini'], encoding: 'ini' },
      ]);
      expect(bundle.plan.sql!.presealCheck.destination).to.equal('C:\\ProgramData\\winami\\scripts\\sql\\preseal-sql.ps1');
      const tokens = bundle.files.filter((f) => f.content.toString('utf8').includes('@@WINAMI_SECRET:sqlProductKey@@')).map((f) => f.path);
      expect(tokens).to.deep.equal(['sql/CompleteImage.ini']);
    });

    it(`license-included on ${agent}: only the rename at first boot`, async () => {
      const bundle = await renderBundle(licenseIncludedConfig('standard', release));
      expect(bundle.plan.customize).to.deep.equal([]);
      expect(bundle.plan.sql!.firstBoot.map((f) => f.name)).to.deep.equal(['sql-repair-servername']);
      const firstBoot = bundle.files.find((f) => f.path === 'scripts/first-boot-cleanup.ps1')!.content.toString('utf8');
      expect(firstBoot).to.include("-File 'C:\\ProgramData\\winami\\sql\\repair-servername.ps1'");
      expect(firstBoot).not.to.include('complete-image.ps1');
    });
  }
});
