/**
 * A Packer (HCL2, amazon-ebs) build for users who stay on Packer: the same
 * bundle delivered with the bake's own delivery scripts over WinRM, one
 * PowerShell provisioner per customize step (a 3010 exit reboots through
 * `windows-restart` and runs the step again, as SSM does), the seal by the
 * launch agent's Sysprep (Packer waits for the instance to stop), regions,
 * tags, sharing, the manifest, and a billing check Packer does not have.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { ComponentDocument } from '../knowledge/aws-components.js';
import { ValidationError } from '../errors.js';
import { STATE_DIR } from '../render/model.js';
import { ps } from '../bake/scripts.js';
import { deliveryCommands, engineImageName, engineText, type EnginePlan } from './plan.js';
import { deprecateDays } from './automation.js';

/** An HCL string literal: JSON escaping, plus `${` and `%{` kept literal. */
export function hcl(value: string): string {
  return JSON.stringify(value)
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
}

const list = (values: readonly string[]) => `[${values.map(hcl).join(', ')}]`;
const RERUN = `${STATE_DIR}\\packer-rerun`;

/** User data that opens a WinRM HTTPS listener with a self-signed certificate, for Packer's communicator only. */
export const WINRM_USER_DATA = [
  '<powershell>',
  "$cert = New-SelfSignedCertificate -CertStoreLocation 'Cert:\\LocalMachine\\My' -DnsName 'packer'",
  "New-Item -Path 'WSMan:\\localhost\\Listener' -Transport HTTPS -Address * -CertificateThumbPrint $cert.Thumbprint -Force | Out-Null",
  "New-NetFirewallRule -DisplayName 'WinRM HTTPS (Packer)' -Direction Inbound -Protocol TCP -LocalPort 5986 -Action Allow | Out-Null",
  "Set-Item -Path 'WSMan:\\localhost\\Service\\Auth\\Basic' -Value $true",
  'Restart-Service WinRM',
  '</powershell>',
].join('\n');

function provisioner(lines: string[], extra: string[] = []): string {
  return [`  provisioner "powershell" {`, `    inline = ${list(lines)}`, ...extra.map((e) => `    ${e}`), `  }`].join('\n');
}

/** Run a step; on 3010, leave a marker, reboot, and run it again (as SSM Agent does for Run Command). */
function stepProvisioners(title: string, command: string): string[] {
  const first = [
    `# ${title.replace(/[\r\n]/g, ' ')}`,
    `& { ${command} }`,
    `if ($LASTEXITCODE -eq 3010) { New-Item -ItemType Directory -Force -Path ${ps(STATE_DIR)} | Out-Null; Set-Content -LiteralPath ${ps(RERUN)} -Value '1'; exit 0 }`,
    `exit $LASTEXITCODE`,
  ];
  const again = [
    `if (-not (Test-Path -LiteralPath ${ps(RERUN)})) { exit 0 }`,
    `Remove-Item -LiteralPath ${ps(RERUN)}`,
    `& { ${command} }`,
    `exit $LASTEXITCODE`,
  ];
  return [
    provisioner(first),
    [
      `  provisioner "windows-restart" {`,
      `    restart_command = ${hcl(`powershell -NoProfile -Command "if (Test-Path -LiteralPath ${ps(RERUN)}) { Restart-Computer -Force }"`)}`,
      `    restart_timeout = "30m"`,
      `  }`,
    ].join('\n'),
    provisioner(again),
  ];
}

/**
 * One of AWS's documents (awsComponents) run on the builder through SSM Run Command from the
 * machine running Packer: Packer has no SSM provisioner, and `shell-local` knows the builder's
 * id as `build.ID`. The builder needs an instance profile that lets SSM Agent register (the
 * bake's own requirement); this machine needs the AWS CLI and `ssm:SendCommand` on the document.
 */
export function documentShell(d: ComponentDocument, timeoutSeconds: number): string[] {
  const what = `${d.documentName} (${d.component})`;
  const invocation = `aws ssm get-command-invocation --region "$WINAMI_REGION" --command-id "$cid" --instance-id "$WINAMI_INSTANCE_ID"`;
  return [
    'set -eu',
    `cid=$(aws ssm send-command --region "$WINAMI_REGION" --instance-ids "$WINAMI_INSTANCE_ID" --document-name ${shq(d.documentName)} --parameters ${shq(JSON.stringify(d.parameters))} --query Command.CommandId --output text)`,
    'status=Pending',
    `for i in $(seq 1 ${Math.max(1, Math.ceil(timeoutSeconds / 10))}); do`,
    `  status=$(${invocation} --query Status --output text 2>/dev/null || echo Pending)`,
    '  case "$status" in Pending|InProgress|Delayed) sleep 10 ;; *) break ;; esac',
    'done',
    'if [ "$status" != Success ]; then',
    `  echo "winami: ${what} ended $status on $WINAMI_INSTANCE_ID" >&2`,
    `  ${invocation} --query StandardErrorContent --output text >&2 || true`,
    '  exit 1',
    'fi',
    `echo "winami: ${what} Success"`,
  ];
}

function shellLocal(config: ResolvedConfig, lines: string[]): string {
  return [
    `  provisioner "shell-local" {`,
    // build.ID is interpolated by Packer: written outside hcl(), which would keep it literal.
    `    environment_vars = ["WINAMI_INSTANCE_ID=\${build.ID}", ${hcl(`WINAMI_REGION=${config.region}`)}]`,
    `    inline = ${list(lines)}`,
    `  }`,
  ].join('\n');
}

/** The billing check run on this machine after the build, for every image in Packer's manifest; a wrong image is deregistered with its snapshots. */
export function billingCheckShell(config: ResolvedConfig): string[] {
  const e = config.expectation;
  const expect = e
    ? [`platform=${shq(e.platformDetails)}`, `usage=${shq(e.usageOperation)}`]
    : [
        `src=$(jq -r '.builds[-1].custom_data.source_ami' packer-manifest.json)`,
        `platform=$(aws ec2 describe-images --region ${config.region} --image-ids "$src" --query 'Images[0].PlatformDetails' --output text)`,
        `usage=$(aws ec2 describe-images --region ${config.region} --image-ids "$src" --query 'Images[0].UsageOperation' --output text)`,
      ];
  return [
    'set -eu',
    ...expect,
    'status=0',
    `for pair in $(jq -r '.builds[-1].artifact_id' packer-manifest.json | tr ',' ' '); do`,
    '  region=${pair%%:*}; ami=${pair#*:}',
    `  got=$(aws ec2 describe-images --region "$region" --image-ids "$ami" --query 'Images[0].[PlatformDetails,UsageOperation]' --output text | tr '\\t' '|')`,
    '  if [ "$got" != "$platform|$usage" ]; then',
    '    echo "winami: $ami in $region bills as $got, expected $platform|$usage: deregistering it and its snapshots" >&2',
    '    aws ec2 deregister-image --region "$region" --image-id "$ami" --delete-associated-snapshots',
    '    status=1',
    '  fi',
    'done',
    'exit $status',
  ];
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The placeholder tokens of an escaped HCL string as HCL interpolations. */
function interpolated(escaped: string): string {
  return escaped
    .replace(/@@date@@/g, '${formatdate("YYYY-MM-DD", timestamp())}')
    .replace(/@@timestamp@@/g, '${formatdate("YYYYMMDDhhmmss", timestamp())}')
    .replace(/@@buildId@@/g, '${uuidv4()}');
}

/** gp3's own baseline, written out: some amazon-ebs releases refuse a gp3 mapping without them. */
function gp3Defaults(v: { type: string; iops?: number | undefined; throughput?: number | undefined }): string[] {
  const iops = v.iops ?? (v.type === 'gp3' ? 3000 : undefined);
  const throughput = v.throughput ?? (v.type === 'gp3' ? 125 : undefined);
  return [iops ? `    iops = ${iops}` : '', throughput ? `    throughput = ${throughput}` : ''];
}

/** The Packer file. */
export function renderPacker(config: ResolvedConfig, plan: EnginePlan): string {
  const b = config.builder;
  if (!b.instanceProfile && plan.customize.some((s) => s.documents?.length)) {
    throw new ValidationError(
      "the Packer export runs AWS's documents (awsComponents) through SSM Run Command, which needs the builder to be managed by SSM",
      [{ path: 'builder.instanceProfile', message: 'required with an awsComponents step' }],
      { hint: 'Set builder.instanceProfile to a profile with AmazonSSMManagedInstanceCore.' },
    );
  }
  const src = config.source;
  // Placeholders become HCL interpolations after the rest of the name is escaped.
  const name = interpolated(hcl(engineImageName(config, { date: '@@date@@', timestamp: '@@timestamp@@', buildId: '@@buildId@@' })));
  const copies = config.image.regions.filter((r) => r.region !== config.region);
  const lp = config.image.launchPermissions;
  const days = deprecateDays(config.image.deprecateAfter as string | number | undefined);
  // Tag values take the image-name placeholders as Packer's own functions.
  const tags = Object.fromEntries(
    Object.entries({ ...config.image.tags, 'winami:config': config.name }).map(([k, v]) => [
      k,
      engineText(config, v, { date: '@@date@@', timestamp: '@@timestamp@@', buildId: '@@buildId@@' }),
    ]),
  );
  const map = (m: Record<string, string>) =>
    `{\n${Object.entries(m)
      .map(([k, v]) => `      ${hcl(k)} = ${interpolated(hcl(v))}`)
      .join('\n')}\n    }`;
  const volumes = [
    {
      device: '/dev/sda1',
      size: b.rootVolumeSize,
      type: b.rootVolumeType,
      del: true,
      iops: undefined as number | undefined,
      throughput: undefined as number | undefined,
    },
    ...b.volumes.map((v) => ({
      device: v.deviceName,
      size: v.size as number | undefined,
      type: v.type,
      del: v.deleteOnTermination,
      iops: v.iops,
      throughput: v.throughput,
    })),
  ];
  const source: string[] = [
    `source "amazon-ebs" "winami" {`,
    `  region        = ${hcl(config.region)}`,
    src.kind === 'ami'
      ? `  source_ami    = ${hcl(src.imageId)}`
      : src.kind === 'ssm-parameter'
        ? `  source_ami    = data.amazon-parameterstore.source.value`
        : '',
    src.kind === 'filter'
      ? `  source_ami_filter {\n    filters     = { name = ${hcl(src.name)} }\n    owners      = ${list(src.owners)}\n    most_recent = true\n  }`
      : '',
    `  instance_type = ${hcl(b.instanceType)}`,
    b.instanceProfile ? `  iam_instance_profile = ${hcl(b.instanceProfile)}` : '',
    b.subnetId ? `  subnet_id = ${hcl(b.subnetId)}` : '',
    b.securityGroupIds.length ? `  security_group_ids = ${list(b.securityGroupIds)}` : '',
    `  ami_name = ${name}`,
    config.image.description ? `  ami_description = ${hcl(config.image.description)}` : '',
    `  communicator   = "winrm"`,
    `  winrm_username = "Administrator"`,
    `  winrm_use_ssl  = true`,
    `  winrm_insecure = true`,
    `  winrm_timeout  = "30m"`,
    `  user_data      = ${hcl(WINRM_USER_DATA)}`,
    `  # Sysprep stops the instance itself; Packer waits for it.`,
    `  disable_stop_instance = true`,
    ...volumes.map((v) =>
      [
        `  launch_block_device_mappings {`,
        `    device_name = ${hcl(v.device)}`,
        v.size ? `    volume_size = ${v.size}` : '',
        `    volume_type = ${hcl(v.type)}`,
        ...gp3Defaults(v),
        `    delete_on_termination = ${v.del}`,
        config.image.encrypted ? `    encrypted = true` : '',
        `  }`,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
    config.image.encrypted ? `  encrypt_boot = true` : '',
    config.image.kmsKeyId ? `  kms_key_id = ${hcl(config.image.kmsKeyId)}` : '',
    copies.length ? `  ami_regions = ${list(copies.map((r) => r.region))}` : '',
    copies.some((r) => r.kmsKeyId)
      ? `  region_kms_key_ids = ${map(Object.fromEntries(copies.filter((r) => r.kmsKeyId).map((r) => [r.region, r.kmsKeyId!])))}`
      : '',
    lp?.accounts.length ? `  ami_users = ${list(lp.accounts)}` : '',
    lp?.organizationArns.length ? `  ami_org_arns = ${list(lp.organizationArns)}` : '',
    lp?.organizationalUnitArns.length ? `  ami_ou_arns = ${list(lp.organizationalUnitArns)}` : '',
    days ? `  deprecate_at = timeadd(timestamp(), "${days * 24}h")` : '',
    `  tags = ${map(tags)}`,
    Object.keys(config.image.snapshotTags).length ? `  snapshot_tags = ${map(config.image.snapshotTags)}` : '',
    `  run_tags = { "winami:config" = ${hcl(config.name)} }`,
    `}`,
  ];
  const provisioners: string[] = deliveryCommands(plan, 12_000).map((s) => provisioner(s.split('\r\n')));
  if (plan.resolveSecrets) provisioners.push(provisioner(plan.resolveSecrets.split('\r\n')));
  for (const s of plan.customize) {
    provisioners.push(...stepProvisioners(`customize: ${s.title}`, s.command));
    if (!s.documents?.length) continue;
    // awsComponents: AWS's documents between two version reports, as the bake runs them.
    for (const d of s.documents) provisioners.push(shellLocal(config, documentShell(d, s.timeoutSeconds)));
    provisioners.push(...stepProvisioners(`customize: ${s.title}: versions after AWS's documents`, s.command));
  }
  if (plan.preseal) provisioners.push(provisioner(plan.preseal.split('\r\n')));
  provisioners.push(...stepProvisioners('ready to seal', plan.checkReady));
  if (plan.sqlCheck) provisioners.push(provisioner(plan.sqlCheck.split('\r\n')));
  provisioners.push(
    provisioner(["# Seal: the launch agent's Sysprep as the built-in Administrator; it shuts the instance down", ...plan.sysprep.split('\r\n')]),
  );
  return [
    `# Packer build of ${config.name}, exported by winami. Validate with: packer init . && packer validate .`,
    `packer {`,
    `  required_plugins {`,
    `    amazon = {`,
    `      source  = "github.com/hashicorp/amazon"`,
    `      version = ">= 1.3.0"`,
    `    }`,
    `  }`,
    `}`,
    '',
    src.kind === 'ssm-parameter' ? `data "amazon-parameterstore" "source" {\n  name   = ${hcl(src.parameter)}\n  region = ${hcl(config.region)}\n}\n` : '',
    source.filter(Boolean).join('\n'),
    '',
    `build {`,
    `  sources = ["source.amazon-ebs.winami"]`,
    '',
    provisioners.join('\n\n'),
    '',
    `  post-processors {`,
    `    post-processor "manifest" {`,
    `      output     = "packer-manifest.json"`,
    `      strip_path = true`,
    `      custom_data = { source_ami = "\${build.SourceAMI}" }`,
    `    }`,
    `    post-processor "shell-local" {`,
    `      inline = ${list(billingCheckShell(config))}`,
    `    }`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}
