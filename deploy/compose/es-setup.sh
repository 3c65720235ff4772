#!/bin/bash
# One Elasticsearch API key per service with least privilege, written to the secrets volume as <service>/es.key
# (each service mounts only its own folder). Re-running
# invalidates the previous keys of the same name first, so only the current ones work. ingest and enrich touch no
# index but stage health, ingest only its feed poll status and the live config; the api reads and never writes
# documents, incidents or alerts (transitions go through the alerter), and writes only its own stores (brief claims,
# saved searches, rule proposals, live config, accounts, sessions); the security audit is append-only for all.
# The same roles as deploy/elasticsearch/setup-security.sh (native users for a cluster of your own).
set -euo pipefail
: "${ELASTIC_PASSWORD:?set LIAOWANG_ES_ELASTIC_PASSWORD}"
es=${ES_URL:-http://elasticsearch:9200}
p=${LIAOWANG_INDEX_PREFIX:-liaowang-}
secrets=/run/liaowang
umask 077
call() { curl -fsS -u "elastic:$ELASTIC_PASSWORD" -H 'content-type: application/json' "$@"; }

until call "$es/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; do sleep 2; done

rw='["create_index","read","write","view_index_metadata","manage"]'
ro='["read","view_index_metadata"]'
# every consuming stage reports its lag and stuck offsets in <prefix>stage-health (the api's health reads it)
health="{\"names\":[\"${p}stage-health*\"],\"privileges\":$rw}"
# the live configuration edited in the admin screens (sources, watch rules, departments, escalation)
config="{\"names\":[\"${p}config\"],\"privileges\":$ro}"
# the security audit is append-only for every key: create_doc, never write, delete or manage
append='["create_index","create_doc","read","view_index_metadata"]'
audit="{\"names\":[\"${p}security-audit\",\"${p}security-audit-anchors\"],\"privileges\":$append}"
role() { # service, cluster privileges, index privileges
  printf '{"name":"liaowang-%s","role_descriptors":{"liaowang-%s":{"cluster":%s,"indices":%s}},"metadata":{"service":"%s"}}' "$1" "$1" "$2" "$3" "$1"
}
declare -A roles=(
  [ingest]="$(role ingest '["monitor"]' "[{\"names\":[\"${p}feed-polls*\"],\"privileges\":$rw},$config]")"
  [enrich]="$(role enrich '[]' "[$health]")"
  [indexer]="$(role indexer '["monitor","manage_index_templates"]' "[{\"names\":[\"${p}docs*\"],\"privileges\":$rw},$health]")"
  [detector]="$(role detector '["monitor","manage_index_templates"]' "[{\"names\":[\"${p}incidents*\",\"${p}incident-candidates*\",\"${p}detector-state*\",\"${p}detector-bursts*\"],\"privileges\":$rw},{\"names\":[\"${p}docs*\"],\"privileges\":$ro},$config,$health]")"
  [alerter]="$(role alerter '["monitor","manage_index_templates"]' "[{\"names\":[\"${p}alerts*\",\"${p}alert-*\"],\"privileges\":$rw},{\"names\":[\"${p}incidents*\"],\"privileges\":$ro},$config,{\"names\":[\"${p}security-audit\"],\"privileges\":$append},{\"names\":[\"${p}security-audit-anchors\"],\"privileges\":[\"create_index\",\"read\",\"view_index_metadata\"]},$health]")"
  [evidence]="$(role evidence '["monitor"]' "[{\"names\":[\"${p}evidence*\"],\"privileges\":$rw},{\"names\":[\"${p}incidents*\",\"${p}docs*\"],\"privileges\":$ro}]")"
  [api]="$(role api '["monitor"]' "[{\"names\":[\"${p}docs*\",\"${p}incidents*\",\"${p}incident-candidates*\",\"${p}detector-state*\",\"${p}alerts*\",\"${p}alert-*\",\"${p}stage-health*\",\"${p}evidence*\",\"${p}feed-polls*\"],\"privileges\":$ro},{\"names\":[\"${p}brief-sends*\",\"${p}saved-searches*\",\"${p}rule-proposals*\",\"${p}config\",\"${p}auth-accounts\",\"${p}auth-sessions\"],\"privileges\":$rw},$audit]")"
)
for service in "${!roles[@]}"; do
  call -X DELETE "$es/_security/api_key" -d "{\"name\":\"liaowang-$service\"}" >/dev/null || true
  encoded=$(call -X POST "$es/_security/api_key" -d "${roles[$service]}" | sed -n 's/.*"encoded":"\([^"]*\)".*/\1/p')
  [ -n "$encoded" ] || { echo "could not create the API key of $service" >&2; exit 1; }
  mkdir -p "$secrets/$service"
  printf '%s' "$encoded" >"$secrets/$service/es.key"
  chmod 0444 "$secrets/$service/es.key"
done
echo "elasticsearch API keys in place"
