#!/usr/bin/env bash
# The AWS CLI baseline of an organization audit: list the ACTIVE accounts,
# assume OrganizationAccountAccessRole in each member, and in each region list
# owned images (flagging those with an empty PlatformDetails or UsageOperation)
# and owned snapshots. One `aws` process per call, one call after another.
# Usage: aws-cli-loop.sh "<region> <region>..." [max-accounts]
# Prints one line per flagged image: <account> <region> <image-id>.
set -euo pipefail
regions=$1
max=${2:-0}
me=$(aws sts get-caller-identity --query Account --output text)
accounts=$(aws organizations list-accounts --query 'Accounts[?State==`ACTIVE`].Id' --output text)
n=0
for account in $accounts; do
  n=$((n + 1))
  if [ "$max" -gt 0 ] && [ "$n" -gt "$max" ]; then break; fi
  if [ "$account" = "$me" ]; then
    creds=""
  else
    creds=$(aws sts assume-role --role-arn "arn:aws:iam::$account:role/OrganizationAccountAccessRole" \
      --role-session-name audit --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  fi
  (
    if [ -n "$creds" ]; then
      read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"$creds"
      export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
    fi
    for region in $regions; do
      aws ec2 describe-images --region "$region" --owners self --include-deprecated \
        --query 'Images[?!PlatformDetails || !UsageOperation].ImageId' --output text |
        tr '\t' '\n' | grep . | sed "s/^/$account $region /" || true
      aws ec2 describe-snapshots --region "$region" --owner-ids self --query 'length(Snapshots)' --output text >/dev/null
    done
  )
done
