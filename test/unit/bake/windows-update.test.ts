/**
 * The windowsUpdate step's pieces: the config's defaults and refusals, the
 * rendered script's criteria (classification GUIDs) and filters, the parser
 * of its report lines, and the emulator's Windows Update Agent refusing what
 * WUA refuses (invalid criteria, an empty collection).
 */
import { expect } from 'chai';
import { renderBundle } from '../../../src/render/bundle.js';
import { windowsUpdateOutcomes } from '../../../src/bake/windows-update-report.js';
import { UPDATE_CATEGORIES, updateSearchCriteria } from '../../../src/knowledge/windows-update.js';
import { ComError, type ComObject, newComObject, seedWindowsUpdates } from '../../../emulator/windows-update.js';
import { GuestFs } from '../../../emulator/guest-fs.js';
import { newWindowsState } from '../../../emulator/windows.js';
import { config } from '../render/fixtures.js';

const base = { name: 'wu', region: 'us-east-1', windows: { release: '2022' } };

describe('windowsUpdate step', () => {
  it('defaults to security and critical updates in at most 5 rounds', () => {
    const c = config({ ...base, customize: [{ windowsUpdate: {} }] });
    expect(c.customize[0]).to.deep.include({ windowsUpdate: { categories: ['SecurityUpdates', 'CriticalUpdates'], include: [], exclude: [], maxRounds: 5 } });
  });

  it('refuses an unknown classification and a KB that is not one', () => {
    const problems = (written: Record<string, unknown>) => {
      try {
        config({ ...base, customize: [{ windowsUpdate: written }] });
      } catch (e) {
        return ((e as { issues?: { path: string; message: string }[] }).issues ?? []).map((p) => `${p.path}: ${p.message}`);
      }
      return [];
    };
    expect(problems({ categories: ['Everything'] })[0]).to.match(/^customize\.0\.windowsUpdate\.categories\.0: must be one of: "CriticalUpdates"/);
    expect(problems({ exclude: ['5044281'] })).to.deep.equal(['customize.0.windowsUpdate.exclude.0: a KB number such as KB5044281']);
  });

  it('renders criteria naming each classification by GUID, and the filters as PowerShell literals', async () => {
    const c = config({
      ...base,
      customize: [
        {
          name: "it's patch day",
          windowsUpdate: { categories: ['SecurityUpdates', 'Drivers'], exclude: ['KB5044281'], severities: ['Critical'], maxRounds: 3 },
        },
      ],
    });
    const bundle = await renderBundle(c);
    const step = bundle.plan.customize[0]!;
    expect(step.kind).to.equal('windowsUpdate');
    const text = bundle.files.find((f) => f.path === step.script)!.content.toString('utf8');
    expect(text).to.contain(`CategoryIDs contains ''${UPDATE_CATEGORIES.SecurityUpdates.id}'') or (`);
    expect(text).to.contain(UPDATE_CATEGORIES.Drivers.id);
    expect(text).to.contain("$exclude = @('KB5044281')");
    expect(text).to.contain("$severities = @('Critical')");
    expect(text).to.contain('$maxRounds = 3');
    expect(text).to.contain("$winamiStep = 'it''s patch day'");
    expect(text).to.contain('exit 3010');
  });

  it('reads each update once from the step output, the last line winning', () => {
    const out = [
      'WINAMI windowsUpdate round=1 updates=1 kbs=KB1234567',
      'WINAMI windowsUpdate kb=KB1234567 round=1 result=Failed hresult=0x80240022 title=2026-11 Cumulative Update (KB1234567)',
      'noise',
      'WINAMI windowsUpdate kb=KB1234567 round=1 result=Failed hresult=0x80240022 title=2026-11 Cumulative Update (KB1234567)',
      'WINAMI windowsUpdate kb=KB7654321 round=2 result=Succeeded hresult=0x00000000 title=.NET',
    ].join('\r\n');
    expect(windowsUpdateOutcomes(out)).to.deep.equal([
      { kb: 'KB1234567', round: 1, result: 'Failed', hresult: '0x80240022', title: '2026-11 Cumulative Update (KB1234567)' },
      { kb: 'KB7654321', round: 2, result: 'Succeeded', hresult: '0x00000000', title: '.NET' },
    ]);
  });
});

describe('emulator: Windows Update Agent', () => {
  const now = Date.UTC(2026, 10, 20);
  const ctx = () => {
    const fs = seedWindowsUpdates(new GuestFs(), '2022', now - 20 * 86_400_000, now);
    return { win: newWindowsState('ec2launch-v2', fs, 'EC2AMAZ-TEST', 'IMAGE_STATE_COMPLETE', false), now, failures: {}, busyMs: 0 };
  };

  it('offers what the image lacks for the criteria, and refuses criteria WUA does not parse with 0x80240032', () => {
    const session = newComObject('Microsoft.Update.Session', ctx()) as ComObject;
    const searcher = session.call('CreateUpdateSearcher', []) as ComObject;
    const found = searcher.call('Search', [updateSearchCriteria(['CriticalUpdates'])]) as ComObject;
    const updates = found.get('Updates') as ComObject;
    expect(updates.get('Count')).to.equal(1);
    expect(String((updates.call('Item', [0]) as ComObject).get('Title'))).to.match(/Servicing Stack Update for Windows Server 2022/);
    expect((searcher.call('Search', [updateSearchCriteria(['Drivers'])]) as ComObject).get('Updates')).to.satisfy((c: ComObject) => c.get('Count') === 0);
    expect(() => searcher.call('Search', ["Title='Cumulative'"])).to.throw(ComError, 'Exception from HRESULT: 0x80240032');
  });

  it('refuses to download or install an empty collection with WU_E_NO_UPDATE (0x80240024)', () => {
    const c = ctx();
    const session = newComObject('Microsoft.Update.Session', c) as ComObject;
    const empty = newComObject('Microsoft.Update.UpdateColl', c)!;
    const downloader = session.call('CreateUpdateDownloader', []) as ComObject;
    expect(downloader.set('Updates', empty)).to.equal(true);
    expect(() => downloader.call('Download', [])).to.throw(ComError, '0x80240024');
    const installer = session.call('CreateUpdateInstaller', []) as ComObject;
    installer.set('Updates', empty);
    expect(() => installer.call('Install', [])).to.throw(ComError, '0x80240024');
    expect(installer.set('ResultCode', 2)).to.equal(false);
  });

  it('an installed update that needs a restart leaves a reboot pending, and the next update waits for it', () => {
    const c = ctx();
    const session = newComObject('Microsoft.Update.Session', c) as ComObject;
    const installAll = () => {
      const found = (
        (session.call('CreateUpdateSearcher', []) as ComObject).call('Search', [updateSearchCriteria(['SecurityUpdates', 'CriticalUpdates'])]) as ComObject
      ).get('Updates') as ComObject;
      const installer = session.call('CreateUpdateInstaller', []) as ComObject;
      installer.set('Updates', found);
      return found.get('Count') === 0 ? undefined : (installer.call('Install', []) as ComObject);
    };
    expect(installAll()!.get('RebootRequired')).to.equal(false); // the servicing stack
    expect(installAll()!.get('RebootRequired')).to.equal(true); // the cumulative update
    expect(c.win.pendingReboot).to.equal(true);
    expect(installAll()).to.equal(undefined); // .NET waits for the restart
    c.win.pendingReboot = false;
    expect(installAll()!.get('ResultCode')).to.equal(2);
    expect(c.busyMs).to.be.greaterThan(0);
  });
});
