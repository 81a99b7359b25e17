/**
 * The SDK's EC2 Query protocol with a faster reading of successful
 * DescribeImages and DescribeSnapshots answers (`ec2-listing-decoder.ts`).
 * It plugs in through the client's `protocol` option, so serialization,
 * signing, endpoints, retries (adaptive rate limiting included) and every
 * error response stay the SDK's: a non-2xx answer, any other operation, and
 * any body the decoder does not read plainly go to the SDK's own
 * deserializer.
 */
import { createRequire } from 'node:module';
import { decodeEc2Response, DESCRIBE_IMAGES_SHAPE, DESCRIBE_SNAPSHOTS_SHAPE, NotPlainXml, type ShapeSpec } from './ec2-listing-decoder.js';

// require(), as session.ts loads the SDK: the ESM loader would parse this CommonJS file again for its exports.
const { AwsEc2QueryProtocol } = createRequire(import.meta.url)('@aws-sdk/core/protocols') as typeof import('@aws-sdk/core/protocols');
type Args = Parameters<InstanceType<typeof AwsEc2QueryProtocol>['deserializeResponse']>;

const FAST: Readonly<Record<string, ShapeSpec>> = {
  DescribeImages: DESCRIBE_IMAGES_SHAPE,
  DescribeSnapshots: DESCRIBE_SNAPSHOTS_SHAPE,
};

/** Pass as `protocol` in an `EC2Client`'s configuration. */
export class Ec2ListingProtocol extends AwsEc2QueryProtocol {
  override async deserializeResponse<Output extends import('@smithy/types').MetadataBearer>(
    operationSchema: Args[0],
    context: Args[1],
    response: Args[2],
  ): Promise<Output> {
    const name = operationSchema.name;
    const shape = FAST[name.slice(name.indexOf('#') + 1)];
    if (!shape || response.statusCode < 200 || response.statusCode >= 300) return super.deserializeResponse<Output>(operationSchema, context, response);
    const body: Uint8Array =
      response.body instanceof Uint8Array ? response.body : response.body ? await context.streamCollector(response.body) : new Uint8Array();
    let output: Record<string, unknown>;
    try {
      output = decodeEc2Response(body, shape);
    } catch (err) {
      if (!(err instanceof NotPlainXml)) throw err;
      response.body = body;
      return super.deserializeResponse<Output>(operationSchema, context, response);
    }
    // As the SDK does before reading a body: header names in lower case.
    for (const header of Object.keys(response.headers)) {
      const value = response.headers[header]!;
      delete response.headers[header];
      response.headers[header.toLowerCase()] = value;
    }
    output.$metadata = this.deserializeMetadata(response);
    return output as unknown as Output;
  }
}
