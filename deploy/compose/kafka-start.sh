#!/bin/bash
# Kafka for docker-compose with SASL/SCRAM and ACLs: one KRaft broker+controller. Clients connect on 9092 with
# SCRAM-SHA-512 (each service as its own user, see kafka-setup.sh); the controller listener stays inside the
# container (localhost). The admin user's SCRAM credential is created when the storage is formatted.
set -euo pipefail
: "${LIAOWANG_KAFKA_ADMIN_PASSWORD:?set LIAOWANG_KAFKA_ADMIN_PASSWORD (see README, Credentials for production)}"
config=/tmp/server.properties
data=/var/lib/kafka/data
cat >"$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=SASL_PLAINTEXT://kafka:9092
inter.broker.listener.name=SASL_PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${LIAOWANG_KAFKA_ADMIN_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
# the in-container controller listener is PLAINTEXT (ANONYMOUS); it is bound to localhost only
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
log.dirs=$data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
if [ ! -f "$data/meta.properties" ]; then
  /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$config" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=${LIAOWANG_KAFKA_ADMIN_PASSWORD}]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
