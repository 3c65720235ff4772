#!/usr/bin/env bash
# Production Elasticsearch (security on): one role and one native user per Liaowang service, each allowed only what
# that service does (README, "Credentials for production"). Idempotent: roles are PUT (replaced by the definition
# below on every run); a user that exists keeps its password (its roles and metadata are updated) unless
# --rotate-passwords is given; a new user gets a random password written to <secrets>/<service>/es.password (0600).
#
#   ES_URL=https://es.example:9200 ES_ADMIN_USER=elastic ES_ADMIN_PASSWORD_FILE=/root/elastic.pw \
#     deploy/elasticsearch/setup-security.sh [--prefix liaowang-] [--secrets /etc/liaowang/secrets] [--rotate-passwords] [--dry-run]
#
# Then give each service LIAOWANG_ES_USERNAME=liaowang-<service> and LIAOWANG_ES_PASSWORD_FILE=<secrets>/<service>/es.password
# (plus LIAOWANG_ES_CA_FILE for HTTPS). --dry-run prints every request (method, path, body) and sends nothing.
# Needs bash, curl and openssl (openssl only to generate passwords). Never prints a password.
set -euo pipefail

prefix=${LIAOWANG_INDEX_PREFIX:-liaowang-}
secrets=${LIAOWANG_SECRETS_DIR:-/etc/liaowang/secrets}
rotate=false
dry=false
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --secrets) secrets=$2; shift 2 ;;
    --rotate-passwords) rotate=true; shift ;;
    --dry-run) dry=true; shift ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup-security: unknown argument $1" >&2; exit 2 ;;
  esac
done
if ! [[ $prefix =~ ^[a-z0-9][a-z0-9._-]*$ ]]; then echo "setup-security: --prefix must be lowercase letters, digits, . _ -" >&2; exit 2; fi

es=${ES_URL:-}
admin_user=${ES_ADMIN_USER:-elastic}
admin_password=${ES_ADMIN_PASSWORD:-}
if [ -n "${ES_ADMIN_PASSWORD_FILE:-}" ]; then admin_password=$(<"$ES_ADMIN_PASSWORD_FILE"); fi
if ! $dry; then
  : "${es:?set ES_URL, the address of the cluster}"
  [ -n "$admin_password" ] || { echo "setup-security: set ES_ADMIN_PASSWORD_FILE (or ES_ADMIN_PASSWORD) for $admin_user" >&2; exit 2; }
fi
curl_tls=()
if [ -n "${ES_CA_FILE:-}" ]; then curl_tls=(--cacert "$ES_CA_FILE"); fi

# call METHOD PATH [BODY] -> prints the HTTP status; the response body goes to $reply. A dry run prints the request
# on fd 3 (the script's stdout) instead.
exec 3>&1
reply=$(mktemp)
trap 'rm -f "$reply"' EXIT
call() {
  local method=$1 path=$2 body=${3:-}
  if $dry; then
    # Passwords never reach the output, not even in a dry run.
    printf '%s %s %s\n' "$method" "$path" "$(printf '%s' "$body" | sed -E 's/"password":"[^"]*"/"password":"[redacted]"/')" >&3
    # as if nothing existed yet, and every write succeeded
    if [ "$method" = GET ]; then echo 404; else echo 200; fi
    return
  fi
  local args=(-sS -o "$reply" -w '%{http_code}' -X "$method" -u "$admin_user:$admin_password" -H 'content-type: application/json' "${curl_tls[@]}")
  if [ -n "$body" ]; then args+=(--data-binary @-); fi
  printf '%s' "$body" | curl "${args[@]}" "$es$path"
}
must() { # like call, but any status but 200/201 stops the script
  local status
  status=$(call "$@")
  if [ "$status" != 200 ] && [ "$status" != 201 ]; then
    echo "setup-security: $1 $2 answered $status: $(head -c 500 "$reply")" >&2
    exit 1
  fi
}

if ! $dry; then
  status=$(call GET /_security/_authenticate)
  [ "$status" = 200 ] || { echo "setup-security: cannot authenticate as $admin_user at $es (HTTP $status); is xpack.security on?" >&2; exit 1; }
fi

# Index privileges. No role may delete documents of the audit indices or delete the indices themselves: the audit
# writers create documents only (op_type create, sequential ids), so an edit or deletion needs the superuser.
rw='"create_index","read","write","view_index_metadata","maintenance"'
ro='"read","view_index_metadata"'
audit_append='"create_index","create_doc","read","view_index_metadata"'
idx() { # privileges, index names (without the prefix)...
  local privileges=$1 names="" n
  shift
  for n in "$@"; do names+="${names:+,}\"$prefix$n\""; done
  printf '{"names":[%s],"privileges":[%s]}' "$names" "$privileges"
}
health=$(idx "$rw" 'stage-health*')
config_ro=$(idx "$ro" 'config')

declare -A cluster indices description
cluster[ingest]='"monitor"'
indices[ingest]="$(idx "$rw" 'feed-polls*'),$config_ro"
description[ingest]='feeds: poll status, reads the live feed sources; no document, incident or alert index'
cluster[enrich]='"monitor"'
indices[enrich]="$health"
description[enrich]='stage health only'
cluster[indexer]='"monitor","manage_index_templates"'
indices[indexer]="$(idx '"create_index","read","write","view_index_metadata","maintenance","manage","delete_index"' 'docs*'),$health"
description[indexer]='document indices (templates, aliases, retention deletes whole expired months)'
cluster[detector]='"monitor","manage_index_templates"'
indices[detector]="$(idx "$rw" 'incidents*' 'incident-candidates*' 'detector-state*' 'detector-bursts*'),$(idx "$ro" 'docs*'),$config_ro,$health"
description[detector]='incidents and detector state; reads documents and live watch rules'
cluster[alerter]='"monitor"'
indices[alerter]="$(idx "$rw" 'alerts*' 'alert-*'),$(idx "$ro" 'incidents*'),$config_ro,$(idx "$audit_append" 'security-audit'),$(idx '"create_index","read","view_index_metadata"' 'security-audit-anchors'),$health"
description[alerter]='alerts, alert audit, outbox; appends acknowledge-link records to the security audit; reads incidents'
cluster[evidence]='"monitor"'
indices[evidence]="$(idx "$rw" 'evidence*'),$(idx "$ro" 'incidents*' 'docs*')"
description[evidence]='evidence records; reads incidents and documents'
# The api never writes documents, incidents or alerts (transitions go through the alerter).
cluster[api]='"monitor"'
indices[api]="$(idx "$ro" 'docs*' 'incidents*' 'incident-candidates*' 'detector-state*' 'alerts*' 'alert-*' 'stage-health*' 'evidence*' 'feed-polls*'),$(idx "$rw" 'brief-sends*' 'saved-searches*' 'rule-proposals*' 'config' 'auth-accounts' 'auth-sessions'),$(idx "$audit_append" 'security-audit' 'security-audit-anchors')"
description[api]='reads the pipeline; writes brief claims, saved searches, rule proposals, live config, accounts, sessions; appends to the security audit and its anchors'
# pnpm liaowang on a server: user accounts, audit verify / anchor, search, trends, alerts, search backfill-scope.
# `audit prune` deletes audit records: run it as the superuser (no service role may delete them).
cluster[cli]='"monitor"'
indices[cli]="$(idx "$ro" 'incidents*' 'alerts*' 'alert-*'),$(idx '"read","write","view_index_metadata"' 'docs*'),$(idx "$rw" 'auth-accounts'),$(idx "$audit_append" 'security-audit' 'security-audit-anchors')"
description[cli]='operator CLI: accounts, audit verify/anchor, search and its scope backfill (audit prune needs the superuser)'

services=(ingest enrich indexer detector alerter evidence api cli)
umask 077
for service in "${services[@]}"; do
  role="liaowang-$service"
  must PUT "/_security/role/$role" "{\"cluster\":[${cluster[$service]}],\"indices\":[${indices[$service]}],\"metadata\":{\"liaowang\":true,\"service\":\"$service\",\"prefix\":\"$prefix\",\"description\":\"${description[$service]}\"}}"
  user="liaowang-$service"
  fields="\"roles\":[\"$role\"],\"full_name\":\"Liaowang $service\",\"metadata\":{\"liaowang\":true,\"service\":\"$service\"}"
  status=$(call GET "/_security/user/$user")
  if [ "$status" = 200 ] && ! $rotate; then
    must PUT "/_security/user/$user" "{$fields}"
    echo "role and user $user: updated (password kept)"
  else
    password=$(openssl rand -base64 30 | tr -d '\n/+=' | head -c 32)
    must PUT "/_security/user/$user" "{$fields,\"password\":\"$password\"}"
    if ! $dry; then
      mkdir -p "$secrets/$service"
      printf '%s' "$password" >"$secrets/$service/es.password"
      chmod 0600 "$secrets/$service/es.password"
    fi
    $dry || echo "role and user $user: $([ "$status" = 200 ] && echo "password rotated" || echo created), password in $secrets/$service/es.password"
  fi
done
echo "elasticsearch roles and users in place (prefix $prefix)"
