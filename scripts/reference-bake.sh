#!/usr/bin/env bash
# A reference bake written the way a careful user would with the AWS CLI and
# its default waiters, for bench/bake.bench.ts to compare winami against.
#
#   run-instances → wait instance-running → poll describe-instance-information
#   until Online → for each command file: send-command + poll
#   get-command-invocation → wait instance-stopped (the last command starts
#   Sysprep) → create-image → wait image-available → describe-images (billing)
#   → terminate-instances.
#
# The EC2 waits are the CLI's own waiters (a check every 15 s, domain-facts
# §9.2); the SSM polls check at once and then every $SSM_POLL_SECONDS (5 s,
# the delay of the CLI's own `aws ssm wait command-executed`).
#
# Environment:
#   SOURCE_AMI, INSTANCE_TYPE, INSTANCE_PROFILE, IMAGE_NAME, BUILD_ID
#   COMMANDS_DIR     *.json files, each the --parameters of one command, sent in name order: NN.json for
#                    AWS-RunPowerShellScript, NN.<document-name>.json for that document
#   EXPECT_PLATFORM, EXPECT_USAGE   the billing fields the image must have
#   AWS_ENDPOINT_URL (optional), AWS_REGION and credentials as usual
# Prints `image <id>` on success; on any failure terminates the builder and exits non-zero.
set -euo pipefail

: "${SOURCE_AMI:?}" "${INSTANCE_TYPE:?}" "${INSTANCE_PROFILE:?}" "${IMAGE_NAME:?}" "${BUILD_ID:?}" "${COMMANDS_DIR:?}"
SSM_POLL_SECONDS="${SSM_POLL_SECONDS:-5}"

awscli() { aws ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} --output text "$@"; }

iid=""
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$iid" ]; then awscli ec2 terminate-instances --instance-ids "$iid" >/dev/null || true; fi
  exit "$rc"
}
trap cleanup EXIT

tags="ResourceType=instance,Tags=[{Key=winami:build-id,Value=$BUILD_ID}]"
iid=$(awscli ec2 run-instances --image-id "$SOURCE_AMI" --instance-type "$INSTANCE_TYPE" \
  --iam-instance-profile "Name=$INSTANCE_PROFILE" --metadata-options HttpTokens=required,HttpEndpoint=enabled \
  --tag-specifications "$tags" --query 'Instances[0].InstanceId')
awscli ec2 wait instance-running --instance-ids "$iid"

until [ "$(awscli ssm describe-instance-information --filters "Key=InstanceIds,Values=$iid" --query 'InstanceInformationList[0].PingStatus')" = "Online" ]; do
  sleep "$SSM_POLL_SECONDS"
done

for params in "$COMMANDS_DIR"/*.json; do
  # NN.json runs AWS-RunPowerShellScript; NN.<document>.json runs that document (AWS-InstallWindowsUpdates, ...).
  base=$(basename "$params" .json)
  document="${base#*.}"
  [ "$document" = "$base" ] && document=AWS-RunPowerShellScript
  cid=$(awscli ssm send-command --instance-ids "$iid" --document-name "$document" \
    --parameters "file://$params" --query 'Command.CommandId')
  while :; do
    status=$(awscli ssm get-command-invocation --command-id "$cid" --instance-id "$iid" --query Status 2>/dev/null || echo Pending)
    case "$status" in
      Success) break ;;
      Pending | InProgress | Delayed) sleep "$SSM_POLL_SECONDS" ;;
      *) echo "command $cid ($params) ended $status" >&2; exit 1 ;;
    esac
  done
done

awscli ec2 wait instance-stopped --instance-ids "$iid"
ami=$(awscli ec2 create-image --instance-id "$iid" --name "$IMAGE_NAME" --query ImageId)
awscli ec2 wait image-available --image-ids "$ami"
billing=$(awscli ec2 describe-images --image-ids "$ami" --query 'Images[0].[PlatformDetails,UsageOperation]')
if [ -n "${EXPECT_PLATFORM:-}" ] && [ "$billing" != "$(printf '%s\t%s' "$EXPECT_PLATFORM" "$EXPECT_USAGE")" ]; then
  echo "image $ami is billed wrongly: $billing" >&2
  awscli ec2 deregister-image --image-id "$ami" >/dev/null || true
  exit 1
fi
awscli ec2 terminate-instances --instance-ids "$iid" >/dev/null
echo "image $ami"
