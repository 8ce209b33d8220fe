#!/usr/bin/env bash
# manage.py on a server, with the environment the services get:
#   sudo -u charter /srv/charter/app/deploy/manage.sh migrate
#   sudo -u charter env DATABASE_URL=postgres:///other deploy/manage.sh verify_audit_chain
# reads CHARTER_ENV (default /etc/charter/charter.env, the units' EnvironmentFile: KEY=VALUE
# lines, values optionally quoted, as systemd reads them); a variable already set in the
# environment wins over the file. Runs the venv's Python of the checkout it belongs to.
set -euo pipefail
cd "$(dirname "$0")/.."
env_file=${CHARTER_ENV:-/etc/charter/charter.env}
if [ -r "$env_file" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line#"${line%%[![:space:]]*}"}
    case $line in '' | '#'* | ';'*) continue ;; esac
    name=${line%%=*}
    value=${line#*=}
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    if [[ ${#value} -ge 2 && ( $value == \"*\" || $value == \'*\' ) ]]; then value=${value:1:${#value}-2}; fi
    [ -n "${!name+x}" ] || export "$name=$value"
  done <"$env_file"
else
  echo "manage.sh: cannot read $env_file (set CHARTER_ENV); using the current environment" >&2
fi
exec .venv/bin/python manage.py "$@"
