#!/bin/sh
# Entrypoint of the seaweedfs service (docker-compose.yml): render the S3 identity from
# the same S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY the app gets (deploy/make_env.py
# generates them), then hand over to the image's own entrypoint with that config.
#
#   seaweedfs-start.sh server -ip=seaweedfs -s3 ...   (arguments go to /entrypoint.sh)
#
# SEAWEEDFS_S3_CONFIG (where to write, default /tmp/learnstream-s3.json) and
# SEAWEEDFS_ENTRYPOINT (default /entrypoint.sh) exist for tests/test_deploy_secrets.py.
set -eu

config="${SEAWEEDFS_S3_CONFIG:-/tmp/learnstream-s3.json}"
for name in S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY; do
  eval "value=\${$name:-}"
  case "$value" in
    "" | *[!A-Za-z0-9_-]*)
      echo "seaweedfs-start: $name must be set to letters, digits, - and _ only" >&2
      echo "(generate it with: python3 deploy/make_env.py --env-file .env)" >&2
      exit 1
      ;;
  esac
done

umask 077
cat >"$config" <<JSON
{
  "identities": [
    {
      "name": "learnstream",
      "credentials": [
        {"accessKey": "$S3_ACCESS_KEY_ID", "secretKey": "$S3_SECRET_ACCESS_KEY"}
      ],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
JSON

exec "${SEAWEEDFS_ENTRYPOINT:-/entrypoint.sh}" "$@" "-s3.config=$config"
