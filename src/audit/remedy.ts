/**
 * What to do about a finding, per rule: where to read about it, what fixes
 * it, and the command that does (a winami command where winami has one, the
 * AWS CLI otherwise). Commands are built from the finding's own ids and
 * region, each argument quoted for a POSIX shell; an id or region that is not
 * the shape EC2 gives gets no command, so a malformed value from AWS never
 * becomes something to paste into a shell.
 */
import { visibleText } from '../util/visible-text.js';
import type { Finding } from './types.js';

/** A page to read about a rule. */
export interface RuleDoc {
  title: string;
  url: string;
}

/** How to fix a rule's findings. */
export interface RuleRemedy {
  /** What fixes a finding of this rule, in a sentence or two. */
  fix: string;
  docs: readonly RuleDoc[];
  /** The shell commands that fix one finding, in order, or none when no command can (the fix text says what to do). */
  commands?: (f: Finding) => string[][] | undefined;
}

const REPO_DOCS = 'https://github.com/winami/winami/blob/main/docs';
const AUDIT_RULES: RuleDoc = { title: 'winami audit rules', url: `${REPO_DOCS}/audit.md#rules` };
const BILLING_FIELDS: RuleDoc = {
  title: 'AWS: AMI billing information fields',
  url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html',
};
const WINAMI_BILLING: RuleDoc = { title: 'winami verify, register, discard, copy', url: `${REPO_DOCS}/billing.md` };

const AMI = /^ami-[0-9a-f]{8,17}$/;
const SNAPSHOT = /^snap-[0-9a-f]{8,17}$/;
const INSTANCE = /^i-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** `winami discard <image> --region <region>`: deregister the image and delete its snapshots. */
function discard(f: Finding): string[][] | undefined {
  if (!AMI.test(f.resourceId) || !REGION.test(f.region)) return undefined;
  return [['winami', 'discard', f.resourceId, '--region', f.region]];
}

/** The longest AMI name EC2 accepts. */
const AMI_NAME_MAX = 128;
const ENCRYPTED_SUFFIX = '-encrypted';

/** An encrypted copy beside the image (AMI names are unique per region, hence the suffix), then the original discarded. */
function encryptedCopy(f: Finding): string[][] | undefined {
  if (!AMI.test(f.resourceId) || !REGION.test(f.region)) return undefined;
  const name = typeof f.evidence.name === 'string' && f.evidence.name ? f.evidence.name : f.resourceId;
  const copyName = `${name.slice(0, AMI_NAME_MAX - ENCRYPTED_SUFFIX.length)}${ENCRYPTED_SUFFIX}`;
  return [
    ['winami', 'copy', f.resourceId, '--region', f.region, '--to', `${f.region}=alias/aws/ebs`, `--name=${copyName}`],
    ['winami', 'discard', f.resourceId, '--region', f.region],
  ];
}

/** Remedies by rule id; every rule of the pack and `rule-failed` has one (a unit test holds it to that). */
export const RULE_REMEDIES: Readonly<Record<string, RuleRemedy>> = {
  'billing-fields-empty': {
    fix: 'The image was not created right and its billing cannot be changed: discard it, then bake it again from an instance.',
    docs: [
      BILLING_FIELDS,
      {
        title: 'AWS: RegisterImage (check PlatformDetails after creating an image)',
        url: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html',
      },
      WINAMI_BILLING,
    ],
    commands: discard,
  },
  'billing-pair-inconsistent': {
    fix: 'One of the two billing fields is wrong and neither can be changed: discard the image, then bake it again from an instance launched from a correctly billed AMI.',
    docs: [BILLING_FIELDS, WINAMI_BILLING],
    commands: discard,
  },
  'windows-billed-as-linux': {
    fix: 'The Windows licence is not billed: discard the image, then bake it again from an instance launched from a license-included Windows AMI.',
    docs: [BILLING_FIELDS, WINAMI_BILLING],
    commands: discard,
  },
  'declared-expectation-mismatch': {
    fix: 'If the winami:expect tag says what the image must bill as, the image is billed wrongly: discard it and bake it again. If the tag is what is wrong, correct the tag instead.',
    docs: [BILLING_FIELDS, { title: 'winami: where an expectation comes from', url: `${REPO_DOCS}/billing.md#where-an-expectation-comes-from` }],
    commands: discard,
  },
  'sql-edition-mismatch': {
    fix: 'The SQL Server licence is billed as another edition: discard the image and bake it again from the AMI of the edition its name says.',
    docs: [BILLING_FIELDS, { title: 'winami: SQL Server images', url: `${REPO_DOCS}/sql.md` }],
    commands: discard,
  },
  'unencrypted-snapshot': {
    fix: 'Snapshots cannot be encrypted in place: copy the image encrypted (with the AWS managed EBS key here; name your own key instead if you use one), then discard the unencrypted original.',
    docs: [{ title: 'AWS: encryption with EBS-backed AMIs', url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIEncryption.html' }, WINAMI_BILLING],
    commands: encryptedCopy,
  },
  'orphaned-snapshot': {
    fix: 'The image this snapshot was made for is gone and nothing uses the snapshot, which is still billed: delete it (winami discard deletes an image with its snapshots; this one has no image left).',
    docs: [{ title: 'AWS: deregister an AMI', url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/deregister-ami.html' }],
    commands: (f) =>
      SNAPSHOT.test(f.resourceId) && REGION.test(f.region)
        ? [['aws', 'ec2', 'delete-snapshot', '--snapshot-id', f.resourceId, '--region', f.region]]
        : undefined,
  },
  'deprecated-image-in-use': {
    fix: 'Replace the instance with one launched from the current golden image (through whatever launches it: its launch template, Auto Scaling group or stack). No single command does that.',
    docs: [{ title: 'AWS: deprecate an AMI', url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html' }],
  },
  'image-inventory-stale': {
    fix: "Bake the image's config again (the monthly rebuild: windowsUpdate and awsComponents steps), then retire the old image with winami prune.",
    docs: [
      { title: 'winami: image inventory', url: `${REPO_DOCS}/inventory.md` },
      { title: 'winami prune', url: `${REPO_DOCS}/prune.md` },
    ],
  },
  'unapproved-image': {
    fix: 'Terminate the instance if it should not run (winami audit --terminate-unapproved does it for every such instance), or approve its image.',
    docs: [{ title: 'winami: terminating instances from unapproved images', url: `${REPO_DOCS}/audit.md#terminating-instances-from-unapproved-images` }],
    commands: (f) =>
      INSTANCE.test(f.resourceId) && REGION.test(f.region)
        ? [['aws', 'ec2', 'terminate-instances', '--instance-ids', f.resourceId, '--region', f.region]]
        : undefined,
  },
  'rule-failed': {
    fix: 'A rule could not read this resource: look at the evidence (it names the rule and the error), and correct the tag or field it names.',
    docs: [AUDIT_RULES],
  },
};

/** The remedy of a rule, or a generic one for a rule without its own. */
export function remedyOf(ruleId: string): RuleRemedy {
  return RULE_REMEDIES[ruleId] ?? { fix: 'See the rule in the documentation.', docs: [AUDIT_RULES] };
}

/** One argument for a POSIX shell: bare when it holds only characters no shell acts on, else single-quoted. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command lines that fix a finding, quoted for a shell; empty when no
 * command can (see the remedy's text) or when a value holds a control or
 * bidirectional character, which no command line should carry.
 */
export function fixCommands(f: Finding): string[] {
  const commands = remedyOf(f.ruleId).commands?.(f) ?? [];
  if (commands.some((argv) => argv.some((a) => visibleText(a) !== a || /[\r\n\t]/.test(a)))) return [];
  return commands.map((argv) => argv.map(shellQuote).join(' '));
}
