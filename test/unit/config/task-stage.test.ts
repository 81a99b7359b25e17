import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';
import { EC2LAUNCH_V2_STAGES, EC2LAUNCH_V2_TASKS } from '../../../src/knowledge/agents/index.js';

function problems(text: string): ConfigError {
  try {
    parseConfig(text, { configPath: '/tmp/c.yaml' });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const v2 = `name: img\nregion: us-east-1\nwindows:\n  release: "2022"\n`;

describe('config: EC2Launch v2 tasks in stages where they may not run', () => {
  it('refuses a task in a stage it may not run in, at its file:line:col, naming the stages it may run in', () => {
    const e = problems(`${v2}agent:\n  ec2launchV2:\n    tasks:\n      postReady:\n        - task: startSsm\n        - task: enableOpenSsh\n`);
    expect(e.exitCode).to.equal(ExitCode.CONFIG);
    expect(e.issues).to.have.length(1);
    const issue = e.issues[0]!;
    expect(issue.path).to.equal('agent.ec2launchV2.tasks.postReady.1.task');
    expect(issue.position).to.deep.equal({ file: '/tmp/c.yaml', line: 10, column: 17 });
    expect(issue.message).to.include('enableOpenSsh').and.include('postReady').and.include('preReady, userData');
    expect(issue.hint).to.equal('move it under agent.ec2launchV2.tasks.preReady or launch.tasks (user data)');
  });

  it('refuses a user-data task that may only run in a config stage, and reports every misplaced task at once', () => {
    const e = problems(
      `${v2}agent:\n  ec2launchV2:\n    tasks:\n      boot:\n        - task: setAdminAccount\nlaunch:\n  tasks:\n    - task: extendRootPartition\n    - task: setHostName\n`,
    );
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).to.deep.equal(['agent.ec2launchV2.tasks.boot.0.task', 'launch.tasks.0.task']);
    expect(byPath['launch.tasks.0.task']!.message).to.include('from user data').and.include('may run in: boot');
    expect(byPath['launch.tasks.0.task']!.position).to.deep.include({ line: 12, column: 13 });
    expect(byPath['agent.ec2launchV2.tasks.boot.0.task']!.hint).to.equal('move it under agent.ec2launchV2.tasks.preReady');
  });

  it('accepts every documented task in every stage the knowledge table allows', () => {
    for (const stage of EC2LAUNCH_V2_STAGES) {
      const tasks = Object.values(EC2LAUNCH_V2_TASKS).filter((t) => t.stages.includes(stage));
      if (!tasks.length) continue;
      const list = tasks.map((t) => `        - task: ${t.task}`).join('\n');
      expect(() => parseConfig(`${v2}agent:\n  ec2launchV2:\n    tasks:\n      ${stage}:\n${list}\n`, { configPath: '/tmp/c.yaml' }), stage).to.not.throw();
    }
    const userData = Object.values(EC2LAUNCH_V2_TASKS).filter((t) => t.stages.includes('userData'));
    const list = userData.map((t) => `    - task: ${t.task}`).join('\n');
    expect(() => parseConfig(`${v2}launch:\n  tasks:\n${list}\n`, { configPath: '/tmp/c.yaml' })).to.not.throw();
  });

  it('leaves names that are not documented tasks to the linter, and ignores the v2 section for other agents', () => {
    expect(() =>
      parseConfig(`${v2}agent:\n  ec2launchV2:\n    tasks:\n      preReady:\n        - task: constructor\n`, { configPath: '/tmp/c.yaml' }),
    ).to.not.throw();
    const v1 = `name: img\nregion: us-east-1\nwindows:\n  release: "2019"\nagent:\n  ec2launchV2:\n    tasks:\n      postReady:\n        - task: enableOpenSsh\n`;
    expect(() => parseConfig(v1, { configPath: '/tmp/c.yaml' })).to.not.throw();
  });
});
