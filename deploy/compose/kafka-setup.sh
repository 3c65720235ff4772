#!/bin/bash
# One SCRAM user per service with a generated password (secrets volume, <service>/kafka.password, which only that
# service mounts), the topics, and ACLs that give each service only what it does: ingest writes raw; enrich reads raw,
# writes enriched;
# indexer reads enriched; detector reads enriched, writes incidents; alerter reads incidents, writes alert-events;
# every consumer writes dead-letter and uses its own consumer group; the api only reads alert-events.
set -euo pipefail
: "${LIAOWANG_KAFKA_ADMIN_PASSWORD:?set LIAOWANG_KAFKA_ADMIN_PASSWORD}"
prefix=${LIAOWANG_TOPIC_PREFIX:-liaowang.}
bin=/opt/kafka/bin
secrets=/run/liaowang
admin=/tmp/admin.properties
umask 077
cat >"$admin" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${LIAOWANG_KAFKA_ADMIN_PASSWORD}";
PROPS
kafka() { "$@" --bootstrap-server kafka:9092 --command-config "$admin"; }

for topic in raw enriched incidents alert-events dead-letter; do
  kafka "$bin/kafka-topics.sh" --create --if-not-exists --topic "$prefix$topic" --partitions 3 --replication-factor 1 >/dev/null
done

for service in ingest enrich indexer detector alerter api; do
  mkdir -p "$secrets/$service"
  file="$secrets/$service/kafka.password"
  [ -s "$file" ] || head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$file"
  kafka "$bin/kafka-configs.sh" --alter --entity-type users --entity-name "$service" \
    --add-config "SCRAM-SHA-512=[password=$(cat "$file")]" >/dev/null
  chmod 0444 "$file"
done

acl() { kafka "$bin/kafka-acls.sh" --add --force "$@" >/dev/null; }
produce() { acl --allow-principal "User:$1" --operation Write --operation Describe --topic "$prefix$2"; }
consume() {
  acl --allow-principal "User:$1" --operation Read --operation Describe --topic "$prefix$2"
  acl --allow-principal "User:$1" --operation Read --group "$prefix$1"
}
produce ingest raw
consume enrich raw;       produce enrich enriched;    produce enrich dead-letter
consume indexer enriched; produce indexer dead-letter
consume detector enriched; produce detector incidents; produce detector dead-letter
consume alerter incidents; produce alerter alert-events; produce alerter dead-letter
# the api follows alert-events for live updates, in a consumer group of its own per replica (deleted on stop)
acl --allow-principal User:api --operation Read --operation Describe --topic "${prefix}alert-events"
acl --allow-principal User:api --operation Read --operation Delete --resource-pattern-type prefixed --group "${prefix}api-live-"
echo "kafka users and ACLs in place"
