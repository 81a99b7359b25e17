/**
 * Hand a new image to launch templates the way pipelines do: write its id to
 * an SSM parameter (`image.publishParameter`) in every region the image is
 * in. `DataType: aws:ec2:image` makes SSM check that the value is an image id
 * of that region, and lets a launch template say `resolve:ssm:<name>`.
 * (SSM API `PutParameter`; "Native parameter support for Amazon Machine Image
 * IDs" in the Systems Manager User Guide.)
 */
import type { AwsSession, CallOptions, SsmPort } from '../aws/ports.js';

/** One parameter written. */
export interface PublishedParameter {
  region: string;
  name: string;
  imageId: string;
  /** The parameter's version after the write. */
  version: number | undefined;
}

/** Write `imageId` to the String parameter `name` through one region's SSM port, replacing the previous value. */
export async function publishImageParameter(ssm: SsmPort, name: string, imageId: string, options: CallOptions = {}): Promise<number | undefined> {
  const out = await ssm.putParameter(
    { Name: name, Value: imageId, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true, Description: 'Latest image id, written by winami' },
    options,
  );
  return out.Version;
}

/** Publish each region's image id under the same parameter name in that region. */
export async function publishImageParameters(
  session: AwsSession,
  name: string,
  images: readonly { region: string; imageId: string }[],
  options: CallOptions = {},
): Promise<PublishedParameter[]> {
  const out: PublishedParameter[] = [];
  for (const image of images) {
    const version = await publishImageParameter(session.ssm(image.region), name, image.imageId, options);
    out.push({ region: image.region, name, imageId: image.imageId, version });
  }
  return out;
}
