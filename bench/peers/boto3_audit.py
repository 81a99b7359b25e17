"""The threaded boto3 peer of an organization audit.

Lists the ACTIVE accounts of the organization, assumes
OrganizationAccountAccessRole in each member, and lists owned images
(flagging an empty PlatformDetails or UsageOperation) and owned snapshots in
each region, 16 account-regions at once, adaptive retries as winami's SDK.
Usage: boto3_audit.py REGION[,REGION...] [THREADS]
Prints one line per flagged image: <account> <region> <image-id>.
"""
import sys
from concurrent.futures import ThreadPoolExecutor

try:
    import boto3

    def new_session():
        return boto3.session.Session()
except ImportError:  # botocore alone
    import botocore.session

    def new_session():
        return botocore.session.get_session()

from botocore.config import Config

CONFIG = Config(retries={"max_attempts": 8, "mode": "adaptive"}, max_pool_connections=32)
ROLE = "OrganizationAccountAccessRole"


def client(session, service, region, creds=None):
    return session.client(service, region_name=region, config=CONFIG, **(creds or {}))


def scope(account, region, ec2):
    flagged = []
    for page in ec2.get_paginator("describe_images").paginate(Owners=["self"], IncludeDeprecated=True):
        for image in page.get("Images", []):
            if not image.get("PlatformDetails") or not image.get("UsageOperation"):
                flagged.append(f"{account} {region} {image['ImageId']}")
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"], PaginationConfig={"PageSize": 1000}):
        len(page.get("Snapshots", []))
    return flagged


def main():
    regions = sys.argv[1].split(",")
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    # One session: its loader parses each service model once; clients are made here, used by the threads.
    base = new_session()
    sts = client(base, "sts", "us-east-1")
    me = sts.get_caller_identity()["Account"]
    org = client(base, "organizations", "us-east-1")
    accounts = [a["Id"] for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"] if a.get("State", a.get("Status")) == "ACTIVE"]

    def creds_of(account):
        if account == me:
            return None
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="audit")["Credentials"]
        return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}

    with ThreadPoolExecutor(max_workers=threads) as pool:
        creds = dict(zip(accounts, pool.map(creds_of, accounts)))
        futures = [pool.submit(scope, a, r, client(base, "ec2", r, creds[a])) for a in accounts for r in regions]
        for f in futures:
            for line in f.result():
                print(line)


if __name__ == "__main__":
    main()
