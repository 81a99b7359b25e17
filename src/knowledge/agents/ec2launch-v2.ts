/**
 * EC2Launch v2 `agent-config.yml`: stages and the 15 documented tasks, the
 * stages each may run in, and their inputs. Source: AWS EC2 User Guide
 * "EC2Launch v2 task definitions" (domain-facts §1.4, §1.5).
 */
import type { ValueSchema } from './value-schema.js';

/** Source page for every row below. */
export const EC2LAUNCH_V2_TASKS_SOURCE = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launch-v2-task-definitions.html';

/** Stage names as written in agent-config.yml, in run order. */
export const EC2LAUNCH_V2_STAGES = ['boot', 'network', 'preReady', 'postReady'] as const;
export type Ec2LaunchV2Stage = (typeof EC2LAUNCH_V2_STAGES)[number];
/** Where a task may run: a config stage, or the implied stage of user data. */
export type Ec2LaunchV2TaskStage = Ec2LaunchV2Stage | 'userData';

/** `version:` values agent-config.yml accepts. */
export const EC2LAUNCH_V2_CONFIG_VERSIONS = ['1.0'] as const;
/** `version:` values YAML user data accepts (1.1 from agent 2.0.1245). */
export const EC2LAUNCH_V2_USER_DATA_VERSIONS = ['1.0', '1.1'] as const;

/** One documented task. */
export interface Ec2LaunchV2Task {
  readonly task: string;
  readonly frequency: 'once' | 'always' | 'configurable';
  readonly stages: readonly Ec2LaunchV2TaskStage[];
  /** `undefined`: the task takes no inputs. */
  readonly inputs: ValueSchema | undefined;
  readonly note?: string;
}

const frequency: ValueSchema = { type: 'enum', values: ['once', 'always'] };
const stringList: ValueSchema = { type: 'list', items: { type: 'string' } };

/** Wallpaper attributes `setWallpaper` can print. */
export const EC2LAUNCH_V2_WALLPAPER_ATTRIBUTES = [
  'architecture',
  'availabilityZone',
  'hostName',
  'instanceId',
  'instanceSize',
  'memory',
  'network',
  'privateIpAddress',
  'publicIpAddress',
] as const;

/** The 15 documented tasks, by name. */
export const EC2LAUNCH_V2_TASKS: Readonly<Record<string, Ec2LaunchV2Task>> = {
  activateWindows: {
    task: 'activateWindows',
    frequency: 'once',
    stages: ['preReady'],
    inputs: { type: 'map', fields: { activation: { type: 'map', fields: { type: { type: 'enum', values: ['amazon'] } } } } },
    note: 'Skipped when the instance is detected as BYOL.',
  },
  enableJumboFrames: { task: 'enableJumboFrames', frequency: 'always', stages: ['postReady', 'userData'], inputs: undefined },
  enableOpenSsh: { task: 'enableOpenSsh', frequency: 'once', stages: ['preReady', 'userData'], inputs: undefined, note: 'Windows Server 2019 and later.' },
  executeProgram: {
    task: 'executeProgram',
    frequency: 'configurable',
    stages: ['preReady', 'postReady', 'userData'],
    inputs: {
      type: 'list',
      items: {
        type: 'map',
        fields: { frequency, path: { type: 'string' }, arguments: stringList, runAs: { type: 'enum', values: ['localSystem'] } },
        required: ['path'],
      },
    },
  },
  executeScript: {
    task: 'executeScript',
    frequency: 'configurable',
    stages: ['preReady', 'postReady', 'userData'],
    inputs: {
      type: 'list',
      items: {
        type: 'map',
        fields: {
          frequency,
          type: { type: 'enum', values: ['batch', 'powershell'] },
          content: { type: 'string' },
          runAs: { type: 'enum', values: ['admin', 'localSystem'] },
          arguments: stringList,
          detach: { type: 'boolean' },
        },
        required: ['type', 'content'],
      },
    },
    note: 'End a script with `exit 3010` to reboot and run it again (up to 5 times); `detach: true` ignores exit codes.',
  },
  extendRootPartition: { task: 'extendRootPartition', frequency: 'once', stages: ['boot'], inputs: undefined },
  initializeVolume: {
    task: 'initializeVolume',
    frequency: 'always',
    stages: ['postReady', 'userData'],
    inputs: {
      type: 'map',
      fields: {
        initialize: { type: 'enum', values: ['all', 'devices'] },
        devices: {
          type: 'list',
          items: {
            type: 'map',
            fields: {
              device: { type: 'string' },
              name: { type: 'string' },
              letter: { type: 'string', pattern: '^[A-Za-z]$' },
              partition: { type: 'enum', values: ['mbr', 'gpt'] },
            },
          },
        },
      },
    },
  },
  optimizeEna: { task: 'optimizeEna', frequency: 'always', stages: ['postReady', 'userData'], inputs: undefined, note: 'May reboot the instance.' },
  setAdminAccount: {
    task: 'setAdminAccount',
    frequency: 'once',
    stages: ['preReady'],
    inputs: {
      type: 'map',
      fields: {
        name: { type: 'string' },
        password: { type: 'map', fields: { type: { type: 'enum', values: ['static', 'random', 'doNothing'] }, data: { type: 'string' } } },
      },
    },
    note: 'With `doNothing` and no password in unattend.xml, the Administrator account is disabled.',
  },
  setDnsSuffix: {
    task: 'setDnsSuffix',
    frequency: 'always',
    stages: ['preReady'],
    inputs: { type: 'map', fields: { suffixes: stringList } },
    note: '`$REGION` and `$AZ` are substituted.',
  },
  setHostName: {
    task: 'setHostName',
    frequency: 'always',
    stages: ['postReady', 'userData'],
    inputs: {
      type: 'map',
      fields: {
        hostName: { type: 'string', maxLength: 15, pattern: '^(?![0-9]+$)[A-Za-z0-9-]+$', note: 'letters, digits and hyphens, not all digits' },
        reboot: { type: 'boolean' },
      },
    },
  },
  setWallpaper: {
    task: 'setWallpaper',
    frequency: 'always',
    stages: ['preReady', 'userData'],
    inputs: {
      type: 'map',
      fields: {
        path: { type: 'string', pattern: '\\.(jpg|jpeg)$', note: 'a .jpg file' },
        attributes: { type: 'list', items: { type: 'enum', values: EC2LAUNCH_V2_WALLPAPER_ATTRIBUTES } },
        instanceTags: { type: 'oneOf', options: [{ type: 'enum', values: ['AllTags'] }, stringList] },
      },
      required: ['path'],
    },
  },
  startSsm: { task: 'startSsm', frequency: 'always', stages: ['postReady', 'userData'], inputs: undefined },
  sysprep: {
    task: 'sysprep',
    frequency: 'once',
    stages: ['userData'],
    inputs: { type: 'map', fields: { clean: { type: 'boolean' }, shutdown: { type: 'boolean' } } },
    note: 'Runs after every other task.',
  },
  writeFile: {
    task: 'writeFile',
    frequency: 'configurable',
    stages: ['postReady', 'userData'],
    inputs: {
      type: 'list',
      items: { type: 'map', fields: { frequency, destination: { type: 'string' }, content: { type: 'string' } }, required: ['destination', 'content'] },
    },
  },
};

/**
 * The stages `task` may run in, when `stage` is not one of them; undefined
 * when it may run there or is not a documented task.
 */
export function ec2launchV2MisplacedTask(task: string, stage: Ec2LaunchV2TaskStage): readonly Ec2LaunchV2TaskStage[] | undefined {
  const info = Object.hasOwn(EC2LAUNCH_V2_TASKS, task) ? EC2LAUNCH_V2_TASKS[task] : undefined;
  return info && !info.stages.includes(stage) ? info.stages : undefined;
}

/** Names people write for tasks that do not exist, and the task they meant. */
export const EC2LAUNCH_V2_TASK_ALIASES: Readonly<Record<string, { task: string; why: string }>> = {
  setComputerName: { task: 'setHostName', why: '`setComputerName` is an EC2Launch v1 LaunchConfig.json key; the v2 task is `setHostName`' },
  extendRootParitition: { task: 'extendRootPartition', why: 'the AWS example misspells it; the task is `extendRootPartition`' },
  setMonitorAlwaysOn: { task: '', why: '`setMonitorAlwaysOn` is an EC2Launch v1 LaunchConfig.json key; EC2Launch v2 has no such task' },
  setPassword: { task: 'setAdminAccount', why: 'the v2 task that sets the Administrator password is `setAdminAccount`' },
  setAdminPassword: { task: 'setAdminAccount', why: 'the v2 task that sets the Administrator password is `setAdminAccount`' },
  handleUserData: { task: '', why: 'EC2Launch v2 runs user data itself; there is no `handleUserData` task' },
};
