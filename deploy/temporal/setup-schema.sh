#!/bin/sh
# Temporal's persistence in Postgres: its two databases, at the schema version of this server.
# Run by the temporal-schema job of docker-compose.yml before the server starts; re-runnable:
# `create` and `setup-schema -v 0.0` fail harmlessly on a database set up before, and
# `update-schema` applies only the versions it lacks.
set -eu
SCHEMA=/etc/temporal/schema/postgresql/v12
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }
for db in temporal visibility; do
  name=$([ "$db" = temporal ] && echo temporal || echo temporal_visibility)
  tool --db "$name" create || echo "database $name exists"
  tool --db "$name" setup-schema -v 0.0 || echo "schema of $name set up before"
  tool --db "$name" update-schema -d "$SCHEMA/$db/versioned"
done
echo "Temporal schema ready"
