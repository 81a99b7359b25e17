/**
 * Bare upper-case placeholder words (`<UserLocale>LOCALE</UserLocale>`) under
 * --allow-placeholders: precision on a search-and-replace template, and
 * recall on upper-case mistakes that must stay errors.
 */
import { expect } from 'chai';
import { lintText, type Finding, type LintOptions } from '../../../src/lint/index.js';

const ATTRS =
  'processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State"';
const intl = (name: string, body: string) => `<component name="${name}" ${ATTRS}>${body}</component>`;
const LOCALES = '<InputLocale>LOCALE</InputLocale><SystemLocale>LOCALE</SystemLocale><UILanguage>LOCALE</UILanguage><UserLocale>LOCALE</UserLocale>';

/** A template whose values a build fills by search and replace: 21 bare words, each where a value is expected. */
const TEMPLATE = `<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="windowsPE">
    ${intl('Microsoft-Windows-International-Core-WinPE', `<SetupUILanguage><UILanguage>LOCALE</UILanguage><WillShowUI>SHOW_UI</WillShowUI></SetupUILanguage>${LOCALES}`)}
  </settings>
  <settings pass="specialize">
    ${intl('Microsoft-Windows-International-Core', LOCALES)}
    ${intl('Microsoft-Windows-Shell-Setup', '<ComputerName>*</ComputerName><TimeZone>TIME_ZONE</TimeZone>')}
  </settings>
  <settings pass="oobeSystem">
    ${intl('Microsoft-Windows-International-Core', LOCALES)}
    ${intl(
      'Microsoft-Windows-Shell-Setup',
      '<AutoLogon><Enabled>AUTOLOGON_ENABLED</Enabled><LogonCount>LOGON_COUNT</LogonCount><Username>Administrator</Username>' +
        '<Password><Value>{{ admin_password }}</Value><PlainText>true</PlainText></Password></AutoLogon>' +
        '<OOBE><HideEULAPage>HIDE_EULA</HideEULAPage><NetworkLocation>NETWORK_LOCATION</NetworkLocation><ProtectYourPC>PROTECT_LEVEL</ProtectYourPC></OOBE>' +
        '<TimeZone>TIME_ZONE</TimeZone>',
    )}
  </settings>
</unattend>
`;
const TOKENS = (TEMPLATE.match(/>[A-Z][A-Z0-9_]{3,}</g) ?? []).length;

const errors = (text: string, allowPlaceholders: boolean): Finding[] => {
  const options: LintOptions = { kind: 'unattend', architecture: 'amd64', allowPlaceholders };
  return lintText(text, options).filter((f) => f.severity === 'error');
};
const show = (fs: Finding[]) => fs.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);

describe('bare placeholder words under --allow-placeholders', () => {
  it('reads every bare word where a value is expected as a placeholder (precision 100%)', () => {
    expect(TOKENS).to.equal(21);
    // Without the option each word is a wrong value: the template is a real test of the option.
    expect(errors(TEMPLATE, false).length).to.be.at.least(TOKENS);
    expect(show(errors(TEMPLATE, true))).to.deep.equal([]);
  });

  // Upper-case mistakes a template can hold: each is an error without the option and must stay one with it.
  const DEFECTS: [string, string, string][] = [
    ['enum in capitals', '<NetworkLocation>NETWORK_LOCATION</NetworkLocation>', '<NetworkLocation>OTHER</NetworkLocation>'],
    ['enum in capitals (WillShowUI)', '<WillShowUI>SHOW_UI</WillShowUI>', '<WillShowUI>ONERROR</WillShowUI>'],
    ['YES for a boolean', '<HideEULAPage>HIDE_EULA</HideEULAPage>', '<HideEULAPage>YES</HideEULAPage>'],
    ['ENABLED for a boolean', '<Enabled>AUTOLOGON_ENABLED</Enabled>', '<Enabled>ENABLED</Enabled>'],
    ['a POSIX locale in capitals', '<SystemLocale>LOCALE</SystemLocale>', '<SystemLocale>EN_US</SystemLocale>'],
    ['a locale with a script in capitals', '<UserLocale>LOCALE</UserLocale>', '<UserLocale>ZH_HANS_CN</UserLocale>'],
    ['a time-zone abbreviation', '<TimeZone>TIME_ZONE</TimeZone>', '<TimeZone>PST</TimeZone>'],
    ['a four-letter time-zone abbreviation', '<TimeZone>TIME_ZONE</TimeZone>', '<TimeZone>AEST</TimeZone>'],
    ['an offset name', '<TimeZone>TIME_ZONE</TimeZone>', '<TimeZone>GMT_PLUS_1</TimeZone>'],
    ['a time-zone id in capitals', '<TimeZone>TIME_ZONE</TimeZone>', '<TimeZone>PACIFIC_STANDARD_TIME</TimeZone>'],
    ['a word as container text', '<OOBE><HideEULAPage>', '<OOBE>OOBE_SETTINGS<HideEULAPage>'],
    ['a short word for an integer', '<LogonCount>LOGON_COUNT</LogonCount>', '<LogonCount>MAX</LogonCount>'],
    ['a word as a pass name', '<settings pass="specialize">', '<settings pass="SPECIALIZE_PASS">'],
    ['a word as a component name', 'name="Microsoft-Windows-Shell-Setup"', 'name="SHELL_SETUP"'],
    [
      'a word in a hidden password',
      '<Value>{{ admin_password }}</Value><PlainText>true</PlainText>',
      '<Value>ADMIN_PASSWORD</Value><PlainText>false</PlainText>',
    ],
  ];

  it('keeps every upper-case mistake an error (recall 100%)', () => {
    // The template is clean with the option (above), so any error of an edited copy is the mistake's.
    const missed: string[] = [];
    for (const [what, from, to] of DEFECTS) {
      expect(TEMPLATE, what).to.include(from);
      if (errors(TEMPLATE.replace(from, to), true).length === 0) missed.push(what);
    }
    expect(missed, 'mistakes taken for placeholders').to.deep.equal([]);
  });

  it('leaves values alone when placeholders are not allowed', () => {
    const e = errors(TEMPLATE, false).map((f) => f.ruleId);
    expect(e).to.include.members(['locale-name', 'time-zone', 'setting-value']);
  });
});
