#!/usr/bin/env bash
# Install (Debian, as root) and start RabbitMQ and PostgreSQL without systemd,
# for the integration tests on a machine that has neither. Idempotent.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "run as root" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive

need=()
command -v rabbitmq-server >/dev/null || need+=(rabbitmq-server)
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The RabbitMQ node name needs a short hostname that resolves.
short=$(hostname -s)
getent hosts "$short" >/dev/null || echo "127.0.0.1 $short" >> /etc/hosts

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  rabbitmq-server -detached
  # ping passes before AMQP is accepted; wait on the pid file instead.
  rabbitmqctl wait "/var/lib/rabbitmq/mnesia/rabbit@${short}.pid" --timeout 120
fi

ver=$(ls /etc/postgresql | sort -n | tail -1)
pg_ctlcluster "$ver" main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
# Trust on loopback for the tests' superuser connections.
hba="/etc/postgresql/$ver/main/pg_hba.conf"
if ! grep -q "lpr-tests" "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust # lpr-tests' "$hba"
  pg_ctlcluster "$ver" main reload
fi
pg_isready -h 127.0.0.1
echo "RabbitMQ and PostgreSQL are up"
