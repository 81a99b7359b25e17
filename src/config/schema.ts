/**
 * The config file's schema: one zod schema for what a user writes. Defaults
 * are applied here; cross-field rules and derived values live in
 * `resolve.ts`. `npm run schema` turns this into `schema/winami.schema.json`.
 */
import { z } from 'zod';
import { EDITIONS, LAUNCH_AGENTS, RELEASES } from '../knowledge/releases.js';
import { EXPECTATION_NAMES, SQL_EDITIONS } from '../knowledge/billing.js';
import { AWS_COMPONENTS } from '../knowledge/aws-components.js';
import { MSRC_SEVERITIES, UPDATE_CATEGORY_NAMES } from '../knowledge/windows-update.js';
import { DEFAULT_PARALLEL_LAUNCH_QUOTA, MIN_PARALLEL_LAUNCHES } from '../knowledge/fast-launch.js';
import { controlCharProblem, tagKeyProblem, windowsPathProblem, wsusServerProblem } from './text-rules.js';
import { durationPattern } from './duration.js';

/** A zod refinement from a rule that returns its problem as a sentence. */
function rule(check: (value: string) => string | undefined) {
  return (value: string, ctx: z.RefinementCtx<string>) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

/** Single-line text shown to people (descriptions, names): no control or bidi characters. */
const plainText = (max: number) => z.string().max(max).superRefine(rule(controlCharProblem));

/**
 * Inline PowerShell in a customize step: 256 KiB at most. It becomes one
 * bundle file delivered through SSM; anything longer belongs in a script file.
 */
export const MAX_INLINE_SCRIPT_CHARS = 256 * 1024;
/** EC2 user data is limited to 16 KB in raw form, before base64 (EC2 User Guide, "Work with instance user data"). */
export const MAX_USER_DATA_BYTES = 16 * 1024;
/** An `extraXml` fragment: 64 KiB, far more than any unattend setting needs. */
export const MAX_EXTRA_XML_CHARS = 64 * 1024;

/** The seven unattend configuration passes (domain-facts §4.1). */
export const PASSES = ['windowsPE', 'offlineServicing', 'generalize', 'specialize', 'auditSystem', 'auditUser', 'oobeSystem'] as const;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

/** A secret: `ssm:/path/to/SecureString` or `env:NAME` (a literal only with --allow-plaintext-secrets). */
export const secretSchema = z
  .string()
  .min(1)
  .describe('A secret reference: `ssm:/path/to/SecureString` or `env:NAME`. Literals are refused unless --allow-plaintext-secrets.');

/** `90s`, `20m`, `2h`, `1h30m` (compound, as Packer writes durations) or a number of seconds. */
export const durationSchema = z
  .union([z.number().int().positive(), z.string().regex(new RegExp(durationPattern(['ms', 's', 'm', 'h'])), 'a duration such as 90s, 20m, 2h or 1h30m')])
  .describe('A duration: seconds as a number, or a string such as 90s, 20m, 2h, 1h30m (units ms, s, m, h; parts may be combined).');

// EC2 tags: keys 1–128 characters, values up to 256 (EC2 User Guide, "Tag restrictions"); aws: is AWS's, winami: is winami's.
const tagsSchema = z
  .record(z.string().min(1).max(128).superRefine(rule(tagKeyProblem)), z.string().max(256).superRefine(rule(controlCharProblem)))
  .describe('Tags: key → value. Values may use the image-name placeholders. Keys starting with aws: or winami: are reserved.');

const windowsSchema = z.strictObject({
  release: z
    .preprocess((v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.toLowerCase().replace(/[\s_-]+/g, '') : v), z.enum(RELEASES))
    .describe('Windows Server release: 2012r2, 2016, 2019, 2022 or 2025.'),
  edition: z.enum(EDITIONS).default('full').describe('Full (Desktop Experience) or Core.'),
  agent: z
    .enum(LAUNCH_AGENTS)
    .optional()
    .describe('Launch agent; defaults to the one AWS ships for the release (EC2Config for 2012 R2, EC2Launch v1 for 2016/2019, EC2Launch v2 for 2022/2025).'),
  language: z
    .string()
    .regex(/^[A-Za-z_]+$/)
    .default('English')
    .describe('Language part of AWS AMI names, e.g. English, Japanese.'),
});

const sourceSchema = z
  .strictObject({
    ami: z.string().regex(AMI_ID, 'an AMI id such as ami-0123456789abcdef0').optional().describe('A source AMI id.'),
    ssmParameter: z
      .string()
      .regex(/^\/[\w./-]+$/, 'an SSM parameter path such as /aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base')
      .optional()
      .describe('An SSM public parameter holding the AMI id.'),
    filter: z
      .strictObject({
        owners: z.array(z.string().min(1)).min(1).default(['amazon']).describe('Owner account ids or aliases (amazon, self).'),
        name: z.string().min(1).describe('Image name pattern; * and ? are wildcards. The newest match wins.'),
      })
      .optional(),
  })
  .describe(
    'Where the builder comes from: exactly one of ami, ssmParameter or filter. Omitted: the AWS public parameter for the release, edition and SQL Server edition.',
  );

const volumeSchema = z.strictObject({
  deviceName: z.string().regex(/^(\/dev\/(sd|xvd)[b-z]|xvd[b-z])$/, 'a device name such as xvdf or /dev/sdf'),
  size: z.number().int().min(1).max(16384).describe('GiB'),
  type: z.enum(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']).default('gp3'),
  iops: z.number().int().positive().optional(),
  throughput: z.number().int().positive().optional(),
  deleteOnTermination: z.boolean().default(true),
});

const builderSchema = z.strictObject({
  instanceType: z
    .string()
    .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'an instance type such as m6i.large')
    .default('m6i.large'),
  subnetId: z
    .string()
    .regex(/^subnet-[0-9a-f]+$/)
    .optional(),
  securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).default([]),
  instanceProfile: z.string().min(1).optional().describe('Instance profile name or ARN; its role needs AmazonSSMManagedInstanceCore.'),
  rootVolumeSize: z.number().int().min(30).max(16384).optional().describe('Root volume size in GiB (at least the source image size).'),
  rootVolumeType: z.enum(['gp2', 'gp3', 'io1', 'io2']).default('gp3'),
  volumes: z.array(volumeSchema).default([]),
  associatePublicIp: z.boolean().optional(),
  tags: tagsSchema.default({}),
});

const stepCommon = {
  name: z.string().min(1).max(100).superRefine(rule(controlCharProblem)).optional(),
  timeout: durationSchema.optional().describe('How long the step may run on the instance (default 1h).'),
  validExitCodes: z.array(z.number().int()).default([0]).describe('Exit codes that count as success; 3010 always means "reboot and run again".'),
};

const KB = z.string().regex(/^KB\d{6,8}$/, 'a KB number such as KB5044281');

/** Windows updates through the Windows Update Agent API (docs/windows-update.md). */
const windowsUpdateSchema = z.strictObject({
  categories: z
    .array(z.enum(UPDATE_CATEGORY_NAMES))
    .min(1)
    .default(['SecurityUpdates', 'CriticalUpdates'])
    .describe('Update classifications to install, matched by their well-known GUIDs.'),
  severities: z
    .array(z.enum(MSRC_SEVERITIES))
    .min(1)
    .optional()
    .describe('Only updates with one of these MSRC severities; updates without a severity (servicing stack, non-security) are kept.'),
  include: z.array(KB).default([]).describe('When not empty: only these KBs.'),
  exclude: z.array(KB).default([]).describe('Never these KBs.'),
  maxRounds: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('Search-and-install rounds at most; the step fails if updates are still applicable after them.'),
  wsus: z
    .strictObject({
      server: z
        .string()
        .max(2048)
        .superRefine(rule(wsusServerProblem))
        .describe('The WSUS server, as http://host:8530 or https://host:8531; written to WUServer and WUStatusServer.'),
      targetGroup: z
        .string()
        .min(1)
        .max(256)
        .superRefine(rule(controlCharProblem))
        .optional()
        .describe('The computer group (client-side targeting: TargetGroup, TargetGroupEnabled=1).'),
      keepPolicy: z.boolean().default(false).describe('Leave the WSUS policy in the image; by default the step removes it once it is done, before sealing.'),
    })
    .optional()
    .describe('Get the updates from a WSUS server rather than Microsoft Update (docs/windows-update.md).'),
});

const customizeStepSchema = z.union([
  z.strictObject({ ...stepCommon, script: z.string().min(1).describe('Path to a PowerShell script, relative to the config file.') }),
  z.strictObject({
    ...stepCommon,
    powershell: z
      .string()
      .min(1)
      .max(MAX_INLINE_SCRIPT_CHARS, `inline PowerShell is limited to ${MAX_INLINE_SCRIPT_CHARS} characters; put longer code in a script file (script: path)`)
      .describe('Inline PowerShell.'),
  }),
  z.strictObject({
    ...stepCommon,
    file: z.strictObject({
      source: z.string().min(1).describe('Local path, relative to the config file.'),
      destination: z
        .string()
        .regex(/^[A-Za-z]:\\/, 'an absolute Windows path such as C:\\Tools\\app.zip')
        // The regex already reports a path that is not drive-absolute; the rule checks the rest.
        .superRefine(rule((p) => (/^[A-Za-z]:\\/.test(p) ? windowsPathProblem(p) : undefined))),
    }),
  }),
  z.strictObject({
    ...stepCommon,
    windowsFeatures: z
      .array(z.string().regex(/^[A-Za-z0-9-]+$/))
      .min(1)
      .describe('Names for Install-WindowsFeature.'),
  }),
  z.strictObject({ ...stepCommon, reboot: z.literal(true) }),
  z.strictObject({ ...stepCommon, windowsUpdate: windowsUpdateSchema }),
  z.strictObject({
    ...stepCommon,
    awsComponents: z
      .array(z.enum(AWS_COMPONENTS))
      .min(1)
      .refine((a) => new Set(a).size === a.length, 'each component once')
      .describe("AWS's drivers and agents to bring up to date through AWS's SSM documents (docs/aws-components.md)."),
  }),
]);

const extraXmlSchema = z.strictObject({
  pass: z.enum(PASSES),
  component: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'a component name such as Microsoft-Windows-Shell-Setup or Networking-MPSSVC-Svc'),
  xml: z.string().min(1).max(MAX_EXTRA_XML_CHARS).describe('Raw setting elements to place inside the component.'),
});

const windowsSettingsSchema = z.strictObject({
  computerName: z.string().default('*').describe('`*` for a random name (the default), or a fixed name of at most 15 characters.'),
  timeZone: z.string().min(1).max(256).default('UTC').describe('A Windows time zone id such as UTC or "Pacific Standard Time".'),
  locale: z
    .strictObject({
      system: z.string().default('en-US'),
      user: z.string().default('en-US'),
      ui: z.string().default('en-US'),
      input: z.string().default('en-US'),
    })
    .optional()
    .describe("Windows locale names (en-US, de-DE, ja-JP). Leave it out to keep the base image's own culture."),
  registeredOwner: z.string().max(256).default('EC2'),
  registeredOrganization: z.string().max(256).default('Amazon.com'),
  copyProfile: z.boolean().default(false).describe('Copy the build-time Administrator profile to the default profile (CopyProfile).'),
  administrator: z
    .strictObject({
      name: z.string().min(1).max(20).default('Administrator'),
      password: z
        .union([z.enum(['random', 'doNothing']), z.strictObject({ static: secretSchema })])
        .default('random')
        .describe('random (the agent sets one, retrievable with GetPasswordData), doNothing, or { static: <secret> }.'),
    })
    .default({ name: 'Administrator', password: 'random' }),
  firstLogonCommands: z
    .array(
      z.strictObject({
        command: z.string().min(1).max(1024).superRefine(rule(controlCharProblem)),
        description: plainText(256).optional(),
        requiresUserInput: z.boolean().default(false),
      }),
    )
    .default([]),
  rdp: z.boolean().default(true).describe('Allow Remote Desktop on instances launched from the image.'),
  domainJoin: z
    .strictObject({
      domain: z.string().min(1),
      organizationalUnit: z.string().optional(),
      username: z.string().min(1),
      password: secretSchema,
    })
    .optional()
    .describe('Join a domain in the specialize pass (UnattendedJoin).'),
  productKey: secretSchema.optional().describe('Windows product key (KMS/MAK); AWS license-included images activate without one.'),
  extraXml: z.array(extraXmlSchema).default([]),
});

const v2TaskSchema = z.strictObject({
  task: z.string().min(1),
  inputs: z.unknown().optional(),
});

const agentSchema = z.strictObject({
  ec2launchV2: z
    .strictObject({
      tasks: z
        .strictObject({
          boot: z.array(v2TaskSchema).default([]),
          network: z.array(v2TaskSchema).default([]),
          preReady: z.array(v2TaskSchema).default([]),
          postReady: z.array(v2TaskSchema).default([]),
        })
        .default({ boot: [], network: [], preReady: [], postReady: [] })
        .describe('Extra tasks per stage, added after the ones winami derives from the config.'),
      setWallpaper: z.boolean().default(true),
      dnsSuffixes: z.array(z.string()).default(['$REGION.ec2-utilities.amazonaws.com']),
      telemetry: z.boolean().default(true),
    })
    .default({
      tasks: { boot: [], network: [], preReady: [], postReady: [] },
      setWallpaper: true,
      dnsSuffixes: ['$REGION.ec2-utilities.amazonaws.com'],
      telemetry: true,
    }),
  ec2launchV1: z
    .strictObject({
      setComputerName: z.boolean().default(false),
      setMonitorAlwaysOn: z.boolean().default(true),
      setWallpaper: z.boolean().default(true),
      addDnsSuffixList: z.boolean().default(true),
      extendBootVolumeSize: z.boolean().default(true),
      handleUserData: z.boolean().default(true),
    })
    .default({
      setComputerName: false,
      setMonitorAlwaysOn: true,
      setWallpaper: true,
      addDnsSuffixList: true,
      extendBootVolumeSize: true,
      handleUserData: true,
    }),
  ec2config: z
    .strictObject({
      plugins: z
        .record(z.string().regex(/^[A-Za-z0-9.]+$/), z.enum(['Enabled', 'Disabled']))
        .default({})
        .describe('Plugin name → Enabled/Disabled, over the defaults.'),
      globalSettings: z.record(z.string().regex(/^[A-Za-z]+$/), z.union([z.boolean(), z.string()])).default({}),
      setRdpCertificate: z.boolean().default(false),
    })
    .default({ plugins: {}, globalSettings: {}, setRdpCertificate: false }),
});

const imageSchema = z.strictObject({
  name: z
    .string()
    .min(3)
    .max(128)
    .default('{{name}}-{{timestamp}}')
    .describe('Image name template; placeholders {{name}}, {{release}}, {{edition}}, {{date}}, {{timestamp}}, {{buildId}}.'),
  description: plainText(255).optional().describe('Image description (CreateImage allows 255 characters).'),
  tags: tagsSchema.default({}),
  snapshotTags: tagsSchema.default({}),
  encrypted: z.boolean().default(false),
  kmsKeyId: z.string().min(1).optional().describe('KMS key (id, alias or ARN) for the image in the build region; needs encrypted: true.'),
  regions: z
    .array(z.strictObject({ region: z.string().regex(REGION, 'a region such as eu-west-1'), kmsKeyId: z.string().min(1).optional() }))
    .default([])
    .describe('Regions to copy the image to, each with an optional KMS key.'),
  deprecateAfter: durationSchema
    .or(z.string().regex(new RegExp(durationPattern(['s', 'm', 'h', 'd'])), 'days such as 180d, or a duration such as 90d12h'))
    .optional()
    .describe('Deprecate the image this long after creation, e.g. 180d.'),
  launchPermissions: z
    .strictObject({
      accounts: z.array(z.string().regex(/^\d{12}$/, 'a 12-digit account id')).default([]),
      organizationArns: z.array(z.string().startsWith('arn:')).default([]),
      organizationalUnitArns: z.array(z.string().startsWith('arn:')).default([]),
    })
    .optional(),
  publishParameter: z
    .string()
    .regex(/^\/[\w./-]+$/, 'an SSM parameter path such as /golden/windows-2022/latest')
    .optional()
    .describe('Write the new image id to this SSM parameter in every region.'),
  fastLaunch: z
    .strictObject({
      targetResourceCount: z.number().int().min(1).describe('Pre-provisioned snapshots EC2 keeps on hand, per region.'),
      maxParallelLaunches: z
        .number()
        .int()
        .min(MIN_PARALLEL_LAUNCHES, `EC2 needs at least ${MIN_PARALLEL_LAUNCHES} parallel launches`)
        .max(DEFAULT_PARALLEL_LAUNCH_QUOTA, `the default quota is ${DEFAULT_PARALLEL_LAUNCH_QUOTA} parallel launches per region across all AMIs`)
        .default(MIN_PARALLEL_LAUNCHES)
        .describe('Instances EC2 may launch at once to make the snapshots (at least 6).'),
      launchTemplate: z
        .strictObject({
          id: z
            .string()
            .regex(/^lt-[0-9a-f]{17}$/, 'a launch template id such as lt-0123456789abcdef0')
            .optional(),
          name: z.string().min(3).max(128).optional(),
          version: z.string().min(1).default('$Default').describe('A version number, $Default or $Latest.'),
        })
        .refine((t) => (t.id === undefined) !== (t.name === undefined), 'give the launch template id or its name, not both')
        .optional()
        .describe('The launch template EC2 uses to launch the instances that make the snapshots (needed outside the default VPC).'),
    })
    .optional()
    .describe('Enable EC2 Fast Launch on the image and every copy once it is verified and smoke-tested (docs/fast-launch.md).'),
});

const expectationSchema = z.union([
  z.enum(EXPECTATION_NAMES as [string, ...string[]]),
  z.strictObject({ platformDetails: z.string().min(1), usageOperation: z.string().regex(/^RunInstances(:[0-9a-z]{4})?$/) }),
]);

const sqlSchema = z.strictObject({
  mode: z
    .enum(['license-included', 'byol-prepare'])
    .describe(
      'license-included: the source is an AWS "Windows with SQL Server" image. byol-prepare: install from your media with PrepareImage; CompleteImage runs at first boot.',
    ),
  version: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.enum(['2016', '2017', '2019', '2022'])),
  edition: z.enum(SQL_EDITIONS as [string, ...string[]]),
  media: z.string().min(1).optional().describe('byol-prepare: s3://bucket/key of the ISO or extracted media, or a path on the instance.'),
  instanceName: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,15}$/, 'an instance name of at most 16 characters')
    .default('MSSQLSERVER'),
  features: z.array(z.string().regex(/^[A-Za-z_]+$/)).default(['SQLENGINE']),
  productKey: secretSchema.optional().describe('byol-prepare: the product key, as a secret reference.'),
  sysadminAccounts: z.array(z.string().min(1)).default(['BUILTIN\\Administrators']),
  collation: z.string().optional(),
  licensing: z.enum(['windows', 'windows-byol']).default('windows').describe('byol-prepare: how the Windows part is billed.'),
});

const launchSchema = z
  .strictObject({
    powershell: z
      .string()
      .min(1)
      .refine(
        (v) => Buffer.byteLength(v, 'utf8') <= MAX_USER_DATA_BYTES,
        `EC2 user data is limited to ${MAX_USER_DATA_BYTES} bytes; keep launch.powershell short and put the rest in the image`,
      )
      .optional()
      .describe('PowerShell to run at every launch from this image, as user data.'),
    persist: z.boolean().default(false).describe('Run the user data at every boot, not just the first.'),
    tasks: z.array(v2TaskSchema).default([]).describe('EC2Launch v2 user-data tasks (version 1.1).'),
  })
  .describe('User data for configuring instances at launch; winami writes it next to the bundle.');

/** S3's rules for a general purpose bucket name (3-63 characters, lower case, digits, dots, hyphens). */
export const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A key prefix winami writes under: path segments of letters, digits and `!_.*()-`, no quotes or braces (it reaches PowerShell and Automation). */
export const BUNDLE_PREFIX = /^[A-Za-z0-9!_.*()-]+(?:\/[A-Za-z0-9!_.*()-]+)*$/;

const engineSchema = z
  .strictObject({
    bundleBucket: z
      .string()
      .regex(BUCKET_NAME, 'an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens')
      .optional()
      .describe("S3 bucket (in the config's region) the engine exports deliver the bundle from when it cannot go inline (docs/engines.md)."),
    bundlePrefix: z
      .string()
      .max(200)
      .regex(BUNDLE_PREFIX, 'path segments of letters, digits and !_.*()- separated by /')
      .default('winami')
      .describe('Key prefix of the bundle objects; winami adds <name>/<build-id or content hash>/.'),
    bundleDelivery: z
      .enum(['auto', 'inline', 's3'])
      .default('auto')
      .describe('auto: inline when the document stays within its limits, else from bundleBucket; inline: never S3; s3: always from bundleBucket.'),
    keepBundle: z.boolean().default(false).describe('Keep the objects a bake uploaded instead of deleting them when it ends.'),
  })
  .describe('How the engine exports (SSM Automation) deliver the bundle.');

const deadlinesSchema = z.strictObject({
  launch: durationSchema.default('10m'),
  ssmOnline: durationSchema.default('20m'),
  deliver: durationSchema.default('15m'),
  customize: durationSchema.default('2h'),
  readyToSeal: durationSchema.default('30m'),
  sysprep: durationSchema.default('45m'),
  createImage: durationSchema.default('2h'),
  copy: durationSchema.default('3h'),
  smokeTest: durationSchema.default('30m'),
  cleanup: durationSchema.default('10m'),
});

/** `45d`: a whole number of days, at least 1. */
const DAYS = /^[1-9]\d{0,4}d$/;

/**
 * Settings of `winami audit` (docs/inventory.md): read from the `audit:` section of a winami
 * config or of a file holding only that section (`winami audit --config`); command-line
 * options override them.
 */
export const auditSettingsSchema = z
  .strictObject({
    inventory: z
      .strictObject({
        maxAge: z
          .string()
          .regex(DAYS, 'a number of days such as 45d')
          .optional()
          .describe('The rule image-inventory-stale flags an image inventoried longer ago than this (default 45d).'),
        requiredKbs: z.array(KB).default([]).describe('The rule image-inventory-stale flags an image whose winami:updates tag lacks one of these KBs.'),
      })
      .default({ requiredKbs: [] }),
  })
  .describe('Settings of winami audit; the bake does not read them.');

/** The config file as written. */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters')
      .describe('A short name for the image; used in tags and the default image name.'),
    description: plainText(255).optional(),
    region: z.string().regex(REGION, 'a region such as us-east-1').describe('The region the builder runs in and the image is created in.'),
    windows: windowsSchema,
    source: sourceSchema.optional(),
    builder: builderSchema.default({ instanceType: 'm6i.large', securityGroupIds: [], rootVolumeType: 'gp3', volumes: [], tags: {} }),
    customize: z.array(customizeStepSchema).default([]),
    cleanup: z
      .strictObject({
        preSeal: z
          .boolean()
          .default(true)
          .describe('Built-in clean-up before sealing: temp files, Windows Update cache, DISM component store, Optimize-Volume.'),
        componentStore: z.boolean().default(true),
        optimizeVolume: z.boolean().default(true),
      })
      .default({ preSeal: true, componentStore: true, optimizeVolume: true }),
    windowsSettings: windowsSettingsSchema.default(windowsSettingsSchema.parse({})),
    agent: agentSchema.default(agentSchema.parse({})),
    image: imageSchema.default(imageSchema.parse({})),
    licensing: z.strictObject({ expect: expectationSchema.optional() }).default({}),
    sql: sqlSchema.optional(),
    launch: launchSchema.optional(),
    deadlines: deadlinesSchema.default(deadlinesSchema.parse({})),
    engine: engineSchema.optional(),
    smokeTest: z.boolean().default(true).describe('Launch one instance from the new image and prove it specialized.'),
    preSnapshot: z.boolean().default(false).describe('Snapshot the root volume before sealing so CreateImage only copies changes.'),
    inventory: z
      .boolean()
      .default(false)
      .describe(
        'Before sealing, record what is in the image (OS build, updates, AWS components, features) in the manifest and as image tags (docs/inventory.md).',
      ),
    audit: auditSettingsSchema.optional(),
  })
  .describe('A winami image config.');

/** The config as written (input type). */
export type WrittenConfig = z.input<typeof configSchema>;
/** The config after schema defaults. */
export type ParsedConfig = z.output<typeof configSchema>;
export type CustomizeStep = ParsedConfig['customize'][number];
export type SqlConfig = NonNullable<ParsedConfig['sql']>;
export type Pass = (typeof PASSES)[number];
/** The `audit:` section after defaults. */
export type AuditSettings = z.output<typeof auditSettingsSchema>;
