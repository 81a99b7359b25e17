/** The model of an `awsComponents` customize step: its version report and AWS's documents (templates/scripts/customize-aws-components.ps1.hbs). */
import { AGENT_PATHS, type LaunchAgent } from '../knowledge/releases.js';
import { componentDocument, type AwsComponent, type ComponentDocument } from '../knowledge/aws-components.js';
import { RenderValueError } from './helpers.js';

/** Where the report finds each component's version: an executable's version resource, or a driver by device name. */
const PROBES: Readonly<Record<Exclude<AwsComponent, 'ec2launch'>, { file?: string; device?: string }>> = {
  'ssm-agent': { file: 'C:\\Program Files\\Amazon\\SSM\\amazon-ssm-agent.exe' },
  ena: { device: '*Elastic Network Adapter*' },
  nvme: { device: '*NVMe Elastic Block Storage*' },
  'pv-driver': { device: 'AWS PV*' },
};

/** The components to report and the documents to run, in the order written; `ec2launch` only where its agent is a package. */
export function awsComponentsModel(
  agent: LaunchAgent,
  components: readonly AwsComponent[],
  field: string,
): { report: { name: string; file?: string; device?: string }[]; documents: ComponentDocument[] } {
  const report: { name: string; file?: string; device?: string }[] = [];
  const documents: ComponentDocument[] = [];
  components.forEach((c, i) => {
    const doc = componentDocument(c, agent);
    if (!doc) {
      throw new RenderValueError(
        `${field}.${i}`,
        `${agent} is not an AWS Distributor package, so ${c} cannot be updated through AWS-ConfigureAWSPackage; only EC2Launch v2 (AWSEC2Launch-Agent) can. Leave ec2launch out, or use windows.agent: ec2launch-v2`,
      );
    }
    documents.push(doc);
    report.push({ name: c, ...(c === 'ec2launch' ? { file: AGENT_PATHS[agent].exe } : PROBES[c]) });
  });
  return { report, documents };
}
